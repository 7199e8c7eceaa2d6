// The one CSV reader (js/cli/csv.js on csv-parse: forEachCsvRecord streams a
// file, csvTextRecords reads a text) that `tagwise tag`,
// tools/retail/to_events.mjs, the benchmarks and hints_sql's reference files
// share: strict field counts and quotes, every record and every problem with
// its line number. The line-split fast path (js/cli/csv_fast.js) is
// compared with csv-parse alone on generated inputs that hold every shape
// it must hand over. Internal module, so imported by path; needs no wasm.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { prng } from '../../bench/prng.mjs';
import { csvChunkRecords, csvTextRecords, forEachCsvRecord } from '../../js/cli/csv.js';

/** Streams `text` from a temporary file: { header, records: [{ fields, line }], skipped, leftover, lines }. */
async function streamed(t, text, delimiter) {
  const dir = mkdtempSync(join(tmpdir(), 'tagwise-csv-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'in.csv');
  writeFileSync(path, text);
  const records = [];
  const skipped = [];
  let headerLine = null;
  const r = await forEachCsvRecord(path, {
    delimiter,
    onHeader: (fields, line) => { headerLine = line; },
    onRecord: (fields, line) => records.push({ fields, line }),
    onSkip: (reason, line, message, lines) => skipped.push({ reason, line, message, lines }),
  });
  return { header: r.header, headerLine, records, skipped, leftover: r.leftover, lines: r.lines };
}

test('quoted fields keep commas, doubled quotes and line breaks; a record is numbered by its first line', async (t) => {
  const text = 'name,note,x\n"Ma, Li","say ""你好""\nand go",x\nbo,plain,y\n"a\r\nb",c,d\r\ne,f,g\n';
  const r = await streamed(t, text);
  assert.deepEqual(r.header, ['name', 'note', 'x']);
  assert.equal(r.headerLine, 1);
  assert.deepEqual(r.records, [
    { fields: ['Ma, Li', 'say "你好"\nand go', 'x'], line: 2 },
    { fields: ['bo', 'plain', 'y'], line: 4 },
    { fields: ['a\r\nb', 'c', 'd'], line: 5 }, // a CRLF inside quotes is one line break
    { fields: ['e', 'f', 'g'], line: 7 },
  ]);
  assert.deepEqual(r.skipped, []);
  assert.equal(r.leftover, null);
  assert.equal(r.lines, 7);
});

test('CRLF endings, a byte-order mark, blank lines and a last line without a break read as plain lines', async (t) => {
  const r = await streamed(t, '\ufeffa,b\r\n1,2\r\n\r\n   \r\n3,4');
  assert.deepEqual(r.header, ['a', 'b']);
  assert.deepEqual(r.records, [{ fields: ['1', '2'], line: 2 }, { fields: ['3', '4'], line: 5 }]);
  assert.equal(r.lines, 5);
});

// Behaviour changed with csv-parse (issue 20): the quote no longer swallows
// the rest of the file; its line is skipped and the lines after it are read.
test('a quoted field that never ends costs its own line only; the lines after it are read again', async (t) => {
  const r = await streamed(t, 'a,b\n1,2\n3,"open\n4,5\n"6\n7,8');
  assert.deepEqual(r.records, [{ fields: ['1', '2'], line: 2 }, { fields: ['4', '5'], line: 4 }, { fields: ['7', '8'], line: 6 }]);
  assert.deepEqual(r.skipped.map(({ reason, line, lines }) => ({ reason, line, lines })), [
    { reason: 'unterminated_quote', line: 3, lines: 1 },
    { reason: 'unterminated_quote', line: 5, lines: 1 },
  ]);
  assert.deepEqual(r.leftover, { line: 3, text: '3,"open' });
  assert.equal(r.lines, 6);
});

test('a stray quote skips its own record with the line number and never swallows the lines after it', async (t) => {
  const r = await streamed(t, 'id,what,n\n1,5" ruler,2\n2,"ok",3\n3,"closed"then,4\n4,x,5\n5,y,6\n');
  assert.deepEqual(r.records, [
    { fields: ['2', 'ok', '3'], line: 3 },
    { fields: ['4', 'x', '5'], line: 5 },
    { fields: ['5', 'y', '6'], line: 6 },
  ]);
  assert.deepEqual(r.skipped.map(({ reason, line, lines }) => ({ reason, line, lines })), [
    { reason: 'bad_quote', line: 2, lines: 1 },
    { reason: 'bad_quote', line: 4, lines: 1 },
  ]);
  assert.match(r.skipped[0].message, /a quote inside an unquoted field/);
  assert.match(r.skipped[1].message, /text after the closing quote/);
});

test('a record with more or fewer fields than the header is skipped, never shifted', async (t) => {
  const r = await streamed(t, 'a,b,c\n1,2,3\n1,2,3,4\n1,2\n"x\ny",2,3,4\n5,6,7\n');
  assert.deepEqual(r.records, [{ fields: ['1', '2', '3'], line: 2 }, { fields: ['5', '6', '7'], line: 7 }]);
  assert.deepEqual(r.skipped.map(({ reason, line, lines }) => ({ reason, line, lines })), [
    { reason: 'long_row', line: 3, lines: 1 },
    { reason: 'short_row', line: 4, lines: 1 },
    { reason: 'long_row', line: 5, lines: 2 }, // one record over two lines: both are counted
  ]);
  assert.match(r.skipped[0].message, /has 4 fields; the header has 3/);
});

test('without onSkip a broken record stops the reading with its line number', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tagwise-csv-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'in.csv');
  writeFileSync(path, 'a,b\n1,2\n3,4,5\n');
  await assert.rejects(forEachCsvRecord(path, { onRecord: () => {} }), /line 3: has 3 fields; the header has 2.*\[long_row\]/);
});

test('records that cross the 1 MB read chunks keep their fields and line numbers', async (t) => {
  const rows = ['id,text,n'];
  for (let i = 0; i < 40_000; i++) rows.push(i % 1000 === 7 ? `${i},"multi\nline, ""quoted""",${i}` : `${i},plain text ${i},${i}`);
  const r = await streamed(t, `${rows.join('\n')}\n`);
  assert.equal(r.records.length, 40_000);
  assert.deepEqual(r.skipped, []);
  let line = 2;
  for (const [k, rec] of r.records.entries()) {
    assert.equal(rec.line, line, `record ${k}`);
    assert.equal(rec.fields[0], String(k));
    line += k % 1000 === 7 ? 2 : 1;
  }
  assert.equal(r.lines, line - 1);
});

test('an empty input has no header', async (t) => {
  const r = await streamed(t, '');
  assert.equal(r.header, null);
  assert.deepEqual(r.records, []);
  assert.equal(r.lines, 0);
  assert.deepEqual(csvTextRecords(''), { header: null, leftover: null, records: [], skipped: [], lines: 0 });
});

test('a text reads exactly as the same bytes streamed from a file, with any one-character delimiter', async (t) => {
  for (const [text, delimiter] of [
    ['a;b\n"1;x";2\n\n3;"q""\nr"\n', ';'],
    ['\ufeffid,v\r\n1,"x,y"\r\n2,z', ','],
    ['h\n"never closed\n', ','],
    ['a\tb\n1\t"x\ty"\n2\t3\t4\n', '\t'],
  ]) {
    const s = await streamed(t, text, delimiter);
    const r = csvTextRecords(text, delimiter);
    assert.ok(s.records.length > 0 || s.skipped.length > 0, JSON.stringify(text));
    assert.deepEqual(r.header, s.header, JSON.stringify(text));
    assert.deepEqual(r.records, s.records, JSON.stringify(text));
    assert.deepEqual(r.skipped, s.skipped, JSON.stringify(text));
    assert.deepEqual(r.leftover, s.leftover, JSON.stringify(text));
  }
});

/** A CSV text with plain, quoted, multi-line, broken and Chinese fields, ragged rows, CRLF, blank lines and a BOM. */
function generatedCsv(rnd, delimiter) {
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const cells = ['1', '', ' 2 ', '高价值', 'x y', '"q"', '"a' + delimiter + 'b"', '"say ""hi"""', '""', '"two\nlines"',
    '"cr\r\nlf"', 'bad"quote', '"after"text', '"never closed', '\r', 'é€😀', '" lead"', ' "space"'];
  const lines = [];
  if (rnd() < 0.2) lines.push('\ufeffh1' + delimiter + 'h2' + delimiter + 'h3');
  else lines.push('h1' + delimiter + 'h2' + delimiter + 'h3');
  const n = Math.floor(rnd() * 12);
  for (let i = 0; i < n; i++) {
    if (rnd() < 0.08) {
      lines.push('');
      continue;
    }
    const width = rnd() < 0.85 ? 3 : pick([1, 2, 4]);
    const row = [];
    for (let k = 0; k < width; k++) row.push(rnd() < 0.6 ? pick(['a', '7', '3.5', 'GAME_CARD', '会员']) : pick(cells));
    lines.push(row.join(delimiter));
  }
  let text = '';
  for (const line of lines) text += line + (rnd() < 0.3 ? '\r\n' : '\n');
  if (rnd() < 0.3) text = text.replace(/\r?\n$/, '');
  return text;
}

/** The bytes of `text` cut at random places (through multi-byte characters too). */
function chunked(rnd, text) {
  const bytes = Buffer.from(text, 'utf8');
  const out = [];
  let pos = 0;
  while (pos < bytes.length) {
    const n = 1 + Math.floor(rnd() * (rnd() < 0.5 ? 4 : 64));
    out.push(bytes.subarray(pos, pos + n));
    pos += n;
  }
  return out;
}

test('the fast path reads every generated CSV as csv-parse alone does: records, lines, problems, leftovers', () => {
  const rnd = prng(20261207);
  let handedOver = 0;
  for (let i = 0; i < 3000; i++) {
    const delimiter = [',', ';', '\t', '||'][i % 4];
    const text = generatedCsv(rnd, delimiter);
    const chunks = chunked(rnd, text);
    const want = csvChunkRecords(chunks, delimiter, { fast: false });
    const got = csvChunkRecords(chunks, delimiter);
    const what = JSON.stringify({ text, delimiter });
    assert.deepEqual(got, want, what);
    if (want.skipped.length > 0) handedOver++;
  }
  // The generator does reach the shapes the fast path hands to csv-parse.
  assert.ok(handedOver > 300, `${handedOver} inputs with problems`);
});
