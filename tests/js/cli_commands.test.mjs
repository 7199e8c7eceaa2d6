// The `tagwise` program's surface shared by every command (js/cli.js,
// js/cli/args.js): --help lists every command, <command> --help, --version,
// --out - (stdout), --max-skipped, CSV errors with line numbers, and one ISO
// 8601 parser (the core's, through the CLI's tools module) for every date.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { loadIsoParser } from '../../js/cli/dates.js';
import { overLimit, parseMaxSkipped } from '../../js/cli/skipped.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(root, 'js/cli.js');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function runCli(args, { cwd = root } = {}) {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, maxBuffer: 64 << 20, encoding: 'buffer' }, (error, stdout, stderr) => {
      resolve({ code: error ? error.code : 0, stdout: stdout.toString('utf8'), bytes: stdout, stderr: stderr.toString('utf8') });
    });
  });
}

function tempDir(t) {
  const dir = mkdtempSync(join(tmpdir(), 'tagwise-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const CATALOG = {
  tagwise: 1,
  tags: [{ id: 'buyer', name: 'buyer', when: { '>=': [{ events: [{ type: 'order_paid' }] }, 1] } }],
};
const AS_OF = '2023-11-20T00:00:00Z';
const T = 1_700_000_000_000;

function files(t, extra) {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'catalog.json'), JSON.stringify(CATALOG));
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  return dir;
}

const event = (u, id, ts = T) => JSON.stringify({ user_id: u, id, type: 'order_paid', ts });

// Help texts may only point to what the package ships (no DESIGN.md, no
// examples/ folder, nothing outside the package).
const UNSHIPPED = /DESIGN\.md|examples\/|\.\.\/shared/;

test('tagwise --help lists every command with one line each; help and -h say the same', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Usage: tagwise <command> \[options\]/);
  for (const command of ['tag', 'hints', 'eval', 'sql', 'help']) {
    const lines = r.stdout.split('\n').filter((l) => new RegExp(`^  ${command} +\\S`).test(l));
    assert.equal(lines.length, 1, `one line for ${command}`);
  }
  assert.match(r.stdout, /--version/);
  assert.doesNotMatch(r.stdout, UNSHIPPED);
  assert.equal((await runCli(['-h'])).stdout, r.stdout);
  assert.equal((await runCli(['help'])).stdout, r.stdout);
});

test('tagwise <command> --help prints that command\'s usage (also as tagwise help <command>)', async () => {
  for (const [command, first, flag] of [
    ['tag', /^Usage: tagwise tag --catalog FILE --events FILE --as-of TIME/, /--max-skipped N\|P%/],
    ['hints', /^Usage: tagwise hints --events FILE --out FILE/, /--built-at TIME/],
    ['eval', /^Usage: tagwise eval --data DIR/, /--validation/],
    ['sql', /^Usage: tagwise sql --catalog FILE --as-of TIME/, /--dialect D/],
  ]) {
    const r = await runCli([command, '--help']);
    assert.equal(r.code, 0, command);
    assert.match(r.stdout, first);
    assert.match(r.stdout, flag);
    assert.doesNotMatch(r.stdout, UNSHIPPED, `${command} --help points to a file the package does not ship`);
    assert.equal((await runCli(['help', command])).stdout, r.stdout);
  }
  const bad = await runCli(['help', 'tga']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /no help on "tga"/);
});

test('tagwise --version prints the version of package.json', async () => {
  for (const flag of ['--version', '-v', 'version']) {
    const r = await runCli([flag]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${pkg.version}\n`);
  }
});

test('eval needs its data folder named explicitly', async () => {
  const r = await runCli(['eval']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--data is required/);
  assert.match(r.stderr, /Usage: tagwise eval --data DIR/);
  const missing = await runCli(['eval', '--data', join(tmpdir(), 'tagwise-no-such-dir')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read .*online_retail\.csv: no such file/);
});

test('--out - writes to stdout and creates no file named "-" (tag and hints)', async (t) => {
  const dir = files(t, {
    'events.jsonl': `${[event('u1', 'e1'), event('u2', 'e2')].join('\n')}\n`,
    'items.jsonl': `${[
      JSON.stringify({ user_id: 'u1', type: 'purchase', ts: T, props: { item: 'a', order: 'o1' } }),
      JSON.stringify({ user_id: 'u1', type: 'purchase', ts: T, props: { item: 'b', order: 'o1' } }),
    ].join('\n')}\n`,
  });
  const tag = await runCli(['tag', '--catalog', 'catalog.json', '--events', 'events.jsonl', '--as-of', AS_OF, '--out', '-', '--quiet'], { cwd: dir });
  assert.equal(tag.code, 0, tag.stderr);
  assert.equal(tag.stdout, '{"user_id":"u1","tags":{"buyer":true}}\n{"user_id":"u2","tags":{"buyer":true}}\n');
  assert.equal(existsSync(join(dir, '-')), false);

  const file = await runCli(['hints', '--events', 'items.jsonl', '--out', 'h.twh', '--built-at', '2023-11-20T00:00:00Z', '--quiet'], { cwd: dir });
  assert.equal(file.code, 0, file.stderr);
  const out = await runCli(['hints', '--events', 'items.jsonl', '--out', '-', '--built-at', '2023-11-20T00:00:00Z', '--quiet'], { cwd: dir });
  assert.equal(out.code, 0, out.stderr);
  assert.ok(out.bytes.length > 0);
  assert.deepEqual(out.bytes, readFileSync(join(dir, 'h.twh')), 'the same bytes as the file');
  assert.equal(existsSync(join(dir, '-')), false);

  // --json - puts the summary on stdout when the tags go to a file.
  const json = await runCli(['tag', '--catalog', 'catalog.json', '--events', 'events.jsonl', '--as-of', AS_OF, '--out', 'tags.jsonl', '--json', '-', '--quiet'], { cwd: dir });
  assert.equal(json.code, 0, json.stderr);
  assert.equal(JSON.parse(json.stdout).users, 2);
});

test('--max-skipped: by default more than 1 % of skipped lines fails with the reasons and line numbers, and tags nothing', async (t) => {
  const good = Array.from({ length: 150 }, (_, i) => event(`u${i}`, `e${i}`));
  const lines = [...good];
  lines.splice(10, 0, 'not json');
  lines.splice(50, 0, '{"user_id": "x", "type": "order_paid"}'); // no ts
  // 2 of 152 lines: 1.3 % > 1 %
  const dir = files(t, { 'events.jsonl': `${lines.join('\n')}\n`, 'few.jsonl': `${[...good, 'not json'].join('\n')}\n` });
  const args = ['tag', '--catalog', 'catalog.json', '--events', 'events.jsonl', '--as-of', AS_OF, '--out', 'tags.jsonl'];
  const r = await runCli(args, { cwd: dir });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /tagwise tag: 2 of 152 input lines \(1\.3%\) could not be used, more than --max-skipped 1% allows; nothing was tagged/);
  assert.match(r.stderr, / 1 {2}not valid JSON \[invalid_json\] \(line 11\)/);
  assert.match(r.stderr, / 1 {2}no event time \[no_ts\] \(line 51\)/);
  assert.match(r.stderr, /--max-skipped 30%/);
  assert.equal(existsSync(join(dir, 'tags.jsonl')), false, 'no output file is left behind');

  // 1 of 151 lines (0.7 %) is within the default.
  const few = await runCli(['tag', '--catalog', 'catalog.json', '--events', 'few.jsonl', '--as-of', AS_OF, '--quiet'], { cwd: dir });
  assert.equal(few.code, 0, few.stderr);
  assert.equal(few.stdout.split('\n').filter(Boolean).length, 150);

  // A number of lines, or a larger share, lets the run through; 0 allows none.
  for (const [limit, code] of [['2', 0], ['1', 1], ['2%', 0], ['0', 1], ['100%', 0]]) {
    const run = await runCli([...args, '--max-skipped', limit, '--quiet'], { cwd: dir });
    assert.equal(run.code, code, `--max-skipped ${limit}: ${run.stderr}`);
  }
});

test('--max-skipped counts lines skipped while tagging (duplicate ids) too', async (t) => {
  const lines = [event('u1', 'e1'), event('u1', 'e1'), event('u1', 'e1'), event('u2', 'e2')];
  const dir = files(t, { 'events.jsonl': `${lines.join('\n')}\n` });
  const r = await runCli(['tag', '--catalog', 'catalog.json', '--events', 'events.jsonl', '--as-of', AS_OF, '--max-skipped', '1'], { cwd: dir });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /2 of 4 input lines \(50\.0%\) could not be used, more than --max-skipped 1 allows; the output on stdout is complete but the run failed/);
  assert.match(r.stderr, /repeats an event id .* \[duplicate_id\] \(lines 2, 3\)/);
});

test('every CSV line of a file with shifted columns or stray quotes is skipped with its line number, and the run fails', async (t) => {
  const dir = files(t, {
    'orders.csv': [
      'user_id,type,ts,amount,note',
      'u1,order_paid,1700000000000,30,fine',
      'u2,order_paid,1700000000000,1,200,oops', // 1,200 without quotes
      'u3,order_paid,1700000000000,5,a 5" ruler', // a stray quote
      'u4,order_paid,1700000000000,7,"unclosed',
      'u5,order_paid,1700000000000,9,after',
    ].join('\n'),
  });
  const r = await runCli(['tag', '--catalog', 'catalog.json', '--events', 'orders.csv', '--as-of', AS_OF, '--json', 'summary.json'], { cwd: dir });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /line 3: has 6 fields; the header has 5 \(an unquoted delimiter in a value\?\); skipped/);
  assert.match(r.stderr, /line 4: a quote inside an unquoted field .*; skipped/);
  assert.match(r.stderr, /line 5: a quoted field opened on this line never ends/);
  assert.match(r.stderr, /3 of 5 input lines \(60\.0%\) could not be used/);

  const ok = await runCli(['tag', '--catalog', 'catalog.json', '--events', 'orders.csv', '--as-of', AS_OF, '--json', 'summary.json', '--max-skipped', '3'], { cwd: dir });
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(ok.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l).user_id), ['u1', 'u5']);
  const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  assert.deepEqual(Object.fromEntries(Object.entries(s.skipped.reasons).map(([k, v]) => [k, v.lines])),
    { long_row: [3], bad_quote: [4], unterminated_quote: [5] });
});

test('every date the CLI reads goes through the core\'s ISO 8601 parser', async (t) => {
  const parseIso = await loadIsoParser();
  // The cases where the former JS parser and the core disagreed, and a few more.
  assert.equal(parseIso('2011-12-10T00:00:00,5Z'), Date.UTC(2011, 11, 10) + 500);
  assert.equal(parseIso('2011-12-10T00:00:00 Z'), null);
  assert.equal(parseIso(' 2011-12-10 08:26:00 '), Date.UTC(2011, 11, 10, 8, 26));
  assert.equal(parseIso('2011-12-10T08:00:00+08:00'), Date.UTC(2011, 11, 10));
  assert.equal(parseIso('2012-02-29'), Date.UTC(2012, 1, 29));
  assert.equal(parseIso('2011-02-29'), null);
  assert.equal(parseIso('yesterday'), null);
  assert.equal(parseIso('2011-12-10T00:00:00,5Z'), Date.UTC(2011, 11, 10) + 500, 'cached answers are the same');

  // The same text in --as-of, in a JSON Lines ts and in a CSV "iso" column.
  const dir = files(t, {
    'events.jsonl': `${JSON.stringify({ user_id: 'u1', id: 'e1', type: 'order_paid', ts: '2023-11-19T23:59:59,5Z' })}\n`,
    'late.jsonl': `${JSON.stringify({ user_id: 'u1', id: 'e1', type: 'order_paid', ts: '2023-11-20T00:00:00,5Z' })}\n`,
    'bad.jsonl': `${JSON.stringify({ user_id: 'u1', id: 'e1', type: 'order_paid', ts: '2023-11-19T00:00:00 Z' })}\n`,
    'events.csv': 'user_id,type,ts\nu1,order_paid,"2023-11-19T23:59:59,5Z"\n',
  });
  const base = ['tag', '--catalog', 'catalog.json', '--as-of', '2023-11-20T00:00:00,25Z', '--quiet'];
  for (const [events, tags] of [['events.jsonl', { buyer: true }], ['late.jsonl', {}], ['events.csv', { buyer: true }]]) {
    const r = await runCli([...base, '--events', events], { cwd: dir });
    assert.equal(r.code, 0, `${events}: ${r.stderr}`);
    assert.deepEqual(JSON.parse(r.stdout).tags, tags, events);
  }
  const bad = await runCli(['tag', '--catalog', 'catalog.json', '--as-of', AS_OF, '--events', 'bad.jsonl', '--max-skipped', '100%'], { cwd: dir });
  assert.equal(bad.code, 0, bad.stderr);
  assert.match(bad.stderr, /line 1: "ts" "2023-11-19T00:00:00 Z" is not a time/);
});

test('parseMaxSkipped and overLimit', () => {
  assert.deepEqual(parseMaxSkipped(), { percent: 1, text: '1%' });
  assert.deepEqual(parseMaxSkipped('0.5%'), { percent: 0.5, text: '0.5%' });
  assert.deepEqual(parseMaxSkipped('7'), { lines: 7, text: '7' });
  for (const bad of ['', '-1', '1.5', '%', '200%', 'x']) assert.throws(() => parseMaxSkipped(bad), /--max-skipped/);
  assert.equal(overLimit({ percent: 1 }, 1, 100), false);
  assert.equal(overLimit({ percent: 1 }, 2, 100), true);
  assert.equal(overLimit({ percent: 0 }, 1, 1_000_000), true);
  assert.equal(overLimit({ percent: 0 }, 0, 0), false);
  assert.equal(overLimit({ lines: 3 }, 3, 3), false);
  assert.equal(overLimit({ lines: 3 }, 4, 1_000), true);
});

test('hints --max-skipped: unusable lines over the limit fail with nothing written; other event types do not count', async (t) => {
  const buy = (user, item) => JSON.stringify({ user_id: user, type: 'purchase', ts: T, props: { item, order: `${user}-o` } });
  const views = Array.from({ length: 50 }, (_, i) => JSON.stringify({ user_id: 'u1', type: 'search', ts: T, props: { query: `q${i}` } }));
  const dir = files(t, {
    // 50 searches (another type: not counted), 4 purchases, 2 unusable lines (bad JSON, no user).
    'log.jsonl': `${[...views, buy('u1', 'a'), buy('u1', 'b'), buy('u2', 'a'), buy('u2', 'c'),
      '{"user_id": "u3", "type": "purchase"', JSON.stringify({ type: 'purchase', ts: T, props: { item: 'a' } })].join('\n')}\n`,
  });
  const args = ['hints', '--events', 'log.jsonl', '--built-at', '2023-11-20T00:00:00Z'];
  // 2 of 56 lines (3.6 %) > the default 1 %.
  const failed = await runCli([...args, '--out', 'h.twh'], { cwd: dir });
  assert.equal(failed.code, 1, failed.stderr);
  assert.match(failed.stderr, /2 of 56 input lines \(3\.6%\) could not be used, more than --max-skipped 1% allows; nothing was written/);
  assert.match(failed.stderr, /line 55/, 'the warnings name the unusable lines');
  assert.equal(existsSync(join(dir, 'h.twh')), false);
  for (const limit of ['2', '5%']) {
    const ok = await runCli([...args, '--out', `h${limit}.twh`, '--max-skipped', limit, '--quiet'], { cwd: dir });
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(existsSync(join(dir, `h${limit}.twh`)));
  }
  const bad = await runCli([...args, '--out', 'x.twh', '--max-skipped', 'lots'], { cwd: dir });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--max-skipped is a number of lines/);
});
