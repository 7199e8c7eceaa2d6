// `tagwise sql` and tw.catalogToSql (issue 21): the query for each dialect,
// options checked, and a catalog SQL cannot mean refused with every place
// (JSON Pointer) and exit 1. The queries' answers are tested on DuckDB and
// PostgreSQL in sql_retail.test.mjs and sql_differential.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { DuckDBInstance } from '@duckdb/node-api';

import { TagwiseError, createTagwise } from '../../js/index.node.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(root, 'js/cli.js');

function runCli(args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: root, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? error.code : 0, stdout, stderr });
    });
  });
}

const CATALOG = {
  tagwise: 1,
  tags: [
    { id: 'buyer', name: '已购客户', when: { '>=': [{ events: [{ type: 'order_paid', within: '30d' }] }, 1] } },
    { id: 'spend', name: '消费额', when: { tag: 'buyer' }, value: { round: [{ events: [{ type: 'order_paid', agg: 'sum', field: 'amount' }] }, 2] } },
  ],
};
const AS_OF = '2023-11-20T00:00:00Z';

test('tagwise sql prints one query that DuckDB runs, as of the time given', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tagwise-sql-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const catalog = join(dir, 'catalog.json');
  writeFileSync(catalog, JSON.stringify(CATALOG));
  const r = await runCli(['sql', '--catalog', catalog, '--as-of', AS_OF]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^WITH ev0? AS \(/);
  assert.match(r.stdout, /ts <= 1700438400000\b/);
  const duck = await DuckDBInstance.create(':memory:');
  const c = await duck.connect();
  await c.run(`CREATE TABLE events AS SELECT * FROM (VALUES
      ('u1', 'e1', 'order_paid', 1700000000000, '{"amount": 12.5}'::JSON),
      ('u1', 'e1', 'order_paid', 1700000000000, '{"amount": 12.5}'::JSON),
      ('u1', 'e2', 'order_paid', 1600000000000, '{"amount": "7.25"}'::JSON),
      ('u2', 'e3', 'view_item', 1700000000000, '{}'::JSON)) AS t(user_id, id, type, ts, props)`);
  await c.run(`CREATE TABLE users AS SELECT * FROM (VALUES ('u2', '{"country": "中国"}'::JSON)) AS t(user_id, attributes)`);
  const rows = (await c.runAndReadAll(r.stdout.replace(/;\s*$/, ''))).getRows().map((row) => row.join(' ')).sort();
  // e1 twice is one event (deduplicated by id); e2 is outside 30 days but in the sum.
  assert.deepEqual(rows, ['u1 buyer true', 'u1 spend 19.75']);

  const out = join(dir, 'tags.sql');
  const pg = await runCli(['sql', '--catalog', catalog, '--as-of', '1700438400000', '--dialect', 'postgres',
    '--events-table', 'shop.events', '--out', out]);
  assert.equal(pg.code, 0, pg.stderr);
  assert.equal(pg.stdout, '');
  const text = readFileSync(out, 'utf8');
  assert.match(text, /FROM "shop"\."events" AS e/);
  assert.match(text, /AS MATERIALIZED \(/);
});

test('tagwise sql refuses a catalog SQL cannot mean, naming every place, and bad flags', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tagwise-sql-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const catalog = join(dir, 'catalog.json');
  writeFileSync(catalog, JSON.stringify({ tagwise: 1, tags: [
    { id: 'ok', when: true },
    { id: 'loop', when: { some: [{ var: 'items' }, { '>': [{ var: '' }, 2] }] } },
    { id: 'snap', source: 'server' },
  ] }));
  const r = await runCli(['sql', '--catalog', catalog, '--as-of', AS_OF]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /cannot be compiled to SQL \(2 problems\)/);
  assert.match(r.stderr, /\/tags\/1\/when: the operator `some` has no SQL form yet \[not_compilable_to_sql\]/);
  assert.match(r.stderr, /\/tags\/2\/source: .*server/);

  const broken = join(dir, 'broken.json');
  writeFileSync(broken, JSON.stringify({ tagwise: 1, tags: [{ id: 'x', when: { '>=': [{ var: 'a' }] , '<': [] } }] }));
  const invalid = await runCli(['sql', '--catalog', broken, '--as-of', AS_OF]);
  assert.equal(invalid.code, 1);
  assert.match(invalid.stderr, /\/tags\/0\/when/);

  for (const [args, message] of [
    [['sql', '--as-of', AS_OF], /--catalog is required/],
    [['sql', '--catalog', catalog], /--as-of is required/],
    [['sql', '--catalog', catalog, '--as-of', AS_OF, '--dialect', 'mysql'], /--dialect is one of duckdb, postgres, spark/],
    [['sql', '--catalog', catalog, '--as-of', 'yesterday'], /--as-of "yesterday" is not a time/],
    [['sql', '--catalog', catalog, '--as-of', AS_OF, '--dialekt', 'spark'], /did you mean --dialect/],
  ]) {
    const bad = await runCli(args);
    assert.equal(bad.code, 2, args.join(' '));
    assert.match(bad.stderr, message);
    assert.match(bad.stderr, /Usage: tagwise sql/);
  }
});

test('tw.catalogToSql checks its options and throws TagwiseError with every problem', async () => {
  const tw = await createTagwise();
  assert.equal(typeof tw.catalogToSql, 'function');
  const spark = tw.catalogToSql(CATALOG, { asOf: new Date(AS_OF), dialect: 'spark', usersTable: 'crm.members' });
  assert.match(spark, /LATERAL VIEW stack\(2,/);
  assert.match(spark, /`crm`\.`members`/);
  assert.throws(() => tw.catalogToSql(CATALOG), TypeError);
  assert.throws(() => tw.catalogToSql(CATALOG, { asOf: Number.NaN }), /asOf/);
  assert.throws(() => tw.catalogToSql(CATALOG, { asOf: 0, dialect: 'oracle' }), /dialect/);
  assert.throws(() => tw.catalogToSql(CATALOG, { asOf: 0, eventsTable: '' }), /eventsTable/);
  try {
    tw.catalogToSql({ tagwise: 1, tags: [{ id: 'a', when: { map: [[1], { var: '' }] } }, { id: 'b', when: { var: { cat: ['x'] } } }] }, { asOf: 0 });
    assert.fail('expected a TagwiseError');
  } catch (e) {
    assert.ok(e instanceof TagwiseError);
    assert.equal(e.code, 'not_compilable_to_sql');
    assert.deepEqual(e.errors.map((p) => p.path), ['/tags/0/when', '/tags/1/when']);
  }
});
