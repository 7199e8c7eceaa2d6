// Issue 21's proof: the retail catalog compiled to SQL and run on DuckDB and
// on a real PostgreSQL server gives every user of the real order log
// (../shared/data/online-retail) exactly the tags `tagwise tag` gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { DuckDBInstance } from '@duckdb/node-api';

import { createTagwise } from '../../js/index.node.js';
import { startPostgres } from './sql/postgres.mjs';
import { differences, heldFromRows, heldFromTagLines, loadDuckDb, loadPostgres, readLog } from './sql/tables.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const LOG = join(ROOT, '../shared/data/online-retail/online_retail.csv');
const CATALOG = join(ROOT, 'examples/retail-catalog.json');
const MAP = join(ROOT, 'examples/retail-csv-map.json');
const AS_OF = Date.UTC(2011, 11, 10);

test('the retail catalog in DuckDB and PostgreSQL gives every user the tags `tagwise tag` gives', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tagwise-sql-'));
  try {
    const out = join(dir, 'tags.jsonl');
    await promisify(execFile)(process.execPath, [join(ROOT, 'js/cli.js'), 'tag', '--catalog', CATALOG, '--events', LOG,
      '--csv-map', MAP, '--as-of', String(AS_OF), '--out', out, '--quiet', '--max-skipped', '30%'], { maxBuffer: 1 << 24 });
    const engine = heldFromTagLines(readFileSync(out, 'utf8'));
    assert.ok(engine.size > 10_000, `the engine holds ${engine.size} tags`);
    const tables = await readLog(LOG, { csvMap: MAP, asOfMs: AS_OF });

    const tw = await createTagwise();
    const catalog = readFileSync(CATALOG, 'utf8');

    const duck = await DuckDBInstance.create(':memory:');
    const connection = await duck.connect();
    await loadDuckDb(connection, tables, dir);
    const reader = await connection.runAndReadAll(tw.catalogToSql(catalog, { asOf: AS_OF, dialect: 'duckdb' }));
    const inDuck = heldFromRows(reader.getRows());
    const duckDiff = differences(engine, inDuck);
    assert.deepEqual(duckDiff.slice(0, 10), [], `DuckDB differs from the engine on ${duckDiff.length} (user, tag) pairs`);

    const pg = await startPostgres();
    try {
      await loadPostgres(pg, tables);
      const inPg = heldFromRows(await pg.query(tw.catalogToSql(catalog, { asOf: AS_OF, dialect: 'postgres' })));
      const pgDiff = differences(engine, inPg);
      assert.deepEqual(pgDiff.slice(0, 10), [], `PostgreSQL differs from the engine on ${pgDiff.length} (user, tag) pairs`);
    } finally {
      await pg.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
