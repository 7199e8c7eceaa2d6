// Benchmark of the warehouse path (issue 21): examples/retail-catalog.json
// compiled to SQL (tw.catalogToSql) and run by DuckDB (@duckdb/node-api,
// in-process, this machine's cores)
//   1. on the real retail log (../shared/data/online-retail, read as
//      `tagwise tag` reads it), against `tagwise tag` on the same CSV;
//   2. on a synthetic log of --events events (default 10,000,000) generated
//      inside DuckDB with the retail log's shape (order lines of invoices,
//      items, descriptions, amounts; 50,000 customers over a year).
// Prints the best of --runs for each: seconds and events/s (load not
// included; loading is shown apart). Checks first that DuckDB's tags equal
// `tagwise tag`'s on the retail log. A benchmark, not a test.
//
//   node bench/node/sql_warehouse.mjs [--runs 3] [--events 10000000] [--users 50000]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';

import { DuckDBInstance } from '@duckdb/node-api';

import { createTagwise } from '../../js/index.node.js';
import { differences, heldFromRows, heldFromTagLines, loadDuckDb, readLog } from '../../tests/js/sql/tables.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    events: { type: 'string', default: '10000000' },
    users: { type: 'string', default: '50000' },
  },
});
const RUNS = Number(args.runs);
const LOG = join(root, '../shared/data/online-retail/online_retail.csv');
const CATALOG = join(root, 'examples/retail-catalog.json');
const MAP = join(root, 'examples/retail-csv-map.json');
const AS_OF = Date.UTC(2011, 11, 10);

async function best(fn) {
  let min = Infinity;
  let result;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    result = await fn();
    min = Math.min(min, (performance.now() - t0) / 1000);
  }
  return { seconds: min, result };
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const tw = await createTagwise();
const sql = tw.catalogToSql(readFileSync(CATALOG, 'utf8'), { asOf: AS_OF });
const dir = mkdtempSync(join(tmpdir(), 'tagwise-sqlbench-'));
// DuckDB spills to disk past its memory limit: into the temp folder, not the checkout.
const duck = await DuckDBInstance.create(':memory:', { temp_directory: join(dir, 'spill') });
const connection = await duck.connect();
const threads = (await connection.runAndReadAll("SELECT current_setting('threads')")).getRows()[0][0];
console.log(`node ${process.version}, DuckDB ${(await connection.runAndReadAll('SELECT version()')).getRows()[0][0]} (${threads} threads)`);

// ---- 1. the retail log
try {
  let t0 = performance.now();
  const tables = await readLog(LOG, { csvMap: MAP, asOfMs: AS_OF });
  await loadDuckDb(connection, tables, dir);
  console.log(`retail log: ${fmt(tables.events.length)} events, ${fmt(tables.users.length)} users, loaded in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  const duckRun = await best(async () => (await connection.runAndReadAll(sql)).getRows());
  const out = join(dir, 'tags.jsonl');
  const cli = await best(() => execFileSync(process.execPath, [join(root, 'js/cli.js'), 'tag', '--catalog', CATALOG, '--events', LOG,
    '--csv-map', MAP, '--as-of', String(AS_OF), '--out', out, '--quiet', '--max-skipped', '30%']));
  const diff = differences(heldFromTagLines(readFileSync(out, 'utf8')), heldFromRows(duckRun.result));
  if (diff.length) throw new Error(`DuckDB and tagwise tag differ on ${diff.length} (user, tag) pairs, e.g. ${JSON.stringify(diff[0])}`);
  console.log(`  DuckDB query   ${duckRun.seconds.toFixed(2)} s  ${fmt(tables.events.length / duckRun.seconds)} events/s  (${fmt(duckRun.result.length)} held tags, same as tagwise tag)`);
  console.log(`  tagwise tag    ${cli.seconds.toFixed(2)} s  ${fmt(tables.events.length / cli.seconds)} events/s  (CSV parse included)`);

  // ---- 2. a synthetic log of the same shape
  const n = Number(args.events);
  const users = Number(args.users);
  t0 = performance.now();
  await connection.run(`CREATE OR REPLACE TABLE events AS
    SELECT CAST(hash(i * 7 + 1) % ${users} AS VARCHAR) AS user_id,
           CAST(i AS VARCHAR) AS id,
           CASE WHEN hash(i) % 50 = 0 THEN 'order_refunded' ELSE 'order_paid' END AS type,
           ${AS_OF} - CAST(hash(i * 13) % 31536000000 AS BIGINT) AS ts,
           json_object('invoice', CAST(500000 + (i // 20) AS VARCHAR), 'item', 'SKU' || CAST(hash(i * 3) % 4000 AS VARCHAR),
             'description', ['WHITE HANGING HEART T-LIGHT HOLDER', 'JUMBO BAG RED RETROSPOT', 'SET OF 3 CAKE TINS', 'PAPER CHAIN KIT 50S CHRISTMAS', 'EASTER CRAFT 4 CHICKS'][CAST(hash(i * 5) % 5 AS INTEGER) + 1],
             'quantity', CAST(1 + hash(i * 11) % 12 AS INTEGER), 'amount', round(CAST(hash(i * 17) % 10000 AS DOUBLE) / 100, 2),
             'country', 'United Kingdom') AS props
    FROM range(${n}) AS r(i)`);
  await connection.run(`CREATE OR REPLACE TABLE users AS
    SELECT CAST(u AS VARCHAR) AS user_id, json_object('country', CASE WHEN u % 10 = 0 THEN 'France' ELSE 'United Kingdom' END) AS attributes
    FROM range(${users}) AS r(u)`);
  console.log(`synthetic log: ${fmt(n)} events, ${fmt(users)} users, generated in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  const big = await best(async () => (await connection.runAndReadAll(sql)).getRows().length);
  console.log(`  DuckDB query   ${big.seconds.toFixed(2)} s  ${fmt(n / big.seconds)} events/s  (${fmt(big.result)} held tags)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
