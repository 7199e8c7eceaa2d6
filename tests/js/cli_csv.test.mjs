// The one CSV reader (js/cli/csv.js: forEachCsvRecord streams a file,
// csvTextRecords reads a text) that `tagwise tag`, tools/retail/to_events.mjs,
// demo/data/build.mjs, the benchmarks and hints_sql's reference files share.
// Internal module, so imported by path; needs no wasm.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { csvTextRecords, forEachCsvRecord } from '../../js/cli/csv.js';

/** Streams `text` from a temporary file: { header, records: [{ fields, line }], leftover, lines }. */
async function streamed(t, text, delimiter) {
  const dir = mkdtempSync(join(tmpdir(), 'tagwise-csv-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'in.csv');
  writeFileSync(path, text);
  const records = [];
  let headerLine = null;
  const r = await forEachCsvRecord(path, {
    delimiter,
    onHeader: (fields, line) => { headerLine = line; },
    onRecord: (fields, line) => records.push({ fields, line }),
  });
  return { header: r.header, headerLine, records, leftover: r.leftover, lines: r.lines };
}

test('quoted fields keep commas, doubled quotes and line breaks; a record is numbered by its first line', async (t) => {
  const text = 'name,note\n"Ma, Li","say ""你好""\nand go",x\nbo,plain\n';
  const r = await streamed(t, text);
  assert.deepEqual(r.header, ['name', 'note']);
  assert.equal(r.headerLine, 1);
  assert.deepEqual(r.records, [
    { fields: ['Ma, Li', 'say "你好"\nand go', 'x'], line: 2 },
    { fields: ['bo', 'plain'], line: 4 },
  ]);
  assert.equal(r.leftover, null);
});

test('CRLF endings, a byte-order mark, blank lines and a last line without a break read as plain lines', async (t) => {
  const r = await streamed(t, '\ufeffa,b\r\n1,2\r\n\r\n   \r\n3,4');
  assert.deepEqual(r.header, ['a', 'b']);
  assert.deepEqual(r.records, [{ fields: ['1', '2'], line: 2 }, { fields: ['3', '4'], line: 5 }]);
  assert.equal(r.lines, 5);
});

test('a quoted field that never ends is reported as leftover with its first line', async (t) => {
  const r = await streamed(t, 'a,b\n1,2\n3,"open\n4,5\n');
  assert.deepEqual(r.records, [{ fields: ['1', '2'], line: 2 }]);
  assert.deepEqual(r.leftover, { line: 3, text: '3,"open\n4,5' });
});

test('an empty input has no header', async (t) => {
  const r = await streamed(t, '');
  assert.equal(r.header, null);
  assert.deepEqual(r.records, []);
  assert.deepEqual(csvTextRecords(''), { header: null, leftover: null, records: [] });
});

test('a text reads exactly as the same bytes streamed from a file, with any one-character delimiter', async (t) => {
  for (const [text, delimiter] of [
    ['a;b\n"1;x";2\n\n3;"q""\nr"\n', ';'],
    ['\ufeffid,v\r\n1,"x,y"\r\n2,z', ','],
    ['h\n"never closed\n', ','],
  ]) {
    const s = await streamed(t, text, delimiter);
    const r = csvTextRecords(text, delimiter);
    assert.deepEqual(r.header, s.header, JSON.stringify(text));
    assert.deepEqual(r.records, s.records, JSON.stringify(text));
    assert.deepEqual(r.leftover, s.leftover, JSON.stringify(text));
  }
});
