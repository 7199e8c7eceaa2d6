// The catalog compiled to SQL on edge cases a review found (issue 21): each
// case is evaluated by the engine, by DuckDB and by a real PostgreSQL server,
// and the three must agree (or the construct must be refused).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DuckDBInstance } from '@duckdb/node-api';

import { TagwiseError, createTagwise } from '../../js/index.node.js';
import { PURPOSES } from '../../js/purposes.js';
import { startPostgres } from './sql/postgres.mjs';
import { loadDuckDb, loadPostgres } from './sql/tables.mjs';

const NOW = Date.UTC(2026, 11, 1, 12);
const H = 3_600_000;
const one = (when, attributes = {}, events = [], extra = {}) => ({
  catalog: { tagwise: 1, tags: [{ id: 't', when, ...extra }] },
  profiles: [{ user_id: 'u1', attributes, events }],
});

const CASES = {
  // An empty id is no id: the engine derives one from the content.
  'events with an empty id are two events': one({ '>=': [{ events: [{ type: 'buy' }] }, 2] }, {}, [
    { id: '', type: 'buy', ts: NOW - H, props: {} }, { id: '', type: 'buy', ts: NOW - 2 * H, props: {} }]),
  'a catalog without tags': { catalog: { tagwise: 1, tags: [] }, profiles: [{ user_id: 'u1', attributes: {} }] },
  // DuckDB reads a decimal literal through DECIMAL, one unit in the last place off.
  'a literal with 17 digits': one({ '==': [{ var: 'x' }, 0.029602225086993818] }, { x: 0.029602225086993818 }),
  // PostgreSQL raises an error where a product rounds to 0 (a decayed term).
  'a decayed sum of an old small amount': one({ '>=': [{ events: [{ type: 'buy', agg: 'sum', field: 'amount', half_life: '1h' }] }, 0] },
    {}, [{ id: 'e1', type: 'buy', ts: NOW - 1072 * H, props: { amount: 0.01 } }]),
  'exp just past its underflow': one({ '==': [{ exp: [{ var: 'x' }] }, 0] }, { x: -745.15 }),
  'logistic just past its underflow': one({ '==': [{ logistic: [{ var: 'z' }] }, 1] }, { z: 745.15 }),
  'a sum of Infinity and -Infinity is NaN': one({ '!!': { events: [{ type: 'buy', agg: 'sum', field: 'amount' }] } }, {}, [
    { id: 'a', type: 'buy', ts: NOW - H, props: { amount: 'Infinity' } }, { id: 'b', type: 'buy', ts: NOW - H, props: { amount: '-Infinity' } }]),
  'logistic of Infinity times 0': one({ '==': [{ logistic: [0, [{ var: 'w' }, 0]] }, 1] }, { w: 'Infinity' }),
  'an infinite minimum is null': one({ '<': [{ events: [{ type: 'buy', agg: 'min', field: 'amount' }] }, 0] }, {}, [
    { id: 'a', type: 'buy', ts: NOW - H, props: { amount: '-Infinity' } }]),
  'number text with a no-break space': one({ '==': [{ var: 's' }, 12] }, { s: '\u00a012' }),
  'number text with a vertical tab': one({ '==': [{ var: 's' }, 12] }, { s: '12\u000b' }),
};

test('edge cases: the engine, DuckDB and PostgreSQL agree', { timeout: 120_000 }, async () => {
  const tw = await createTagwise({ purposes: PURPOSES });
  const pg = await startPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'tagwise-sqlcases-'));
  try {
    for (const [name, c] of Object.entries(CASES)) {
      assert.ok(tw.loadCatalog(c.catalog, { now: NOW }).ok, name);
      const engine = {};
      for (const p of tw.tagProfiles(c.profiles, { now: NOW, purposes: PURPOSES })) {
        for (const [tag, value] of Object.entries(p.tags)) engine[`${p.user_id} ${tag}`] = value;
      }
      const data = {
        events: c.profiles.flatMap((p) => (p.events ?? []).map((e) => ({ user_id: p.user_id, ...e }))),
        users: c.profiles.map((p) => ({ user_id: p.user_id, attributes: p.attributes })),
      };
      const duck = await DuckDBInstance.create(':memory:');
      const connection = await duck.connect();
      await loadDuckDb(connection, data, dir);
      await loadPostgres(pg, data);
      const rows = (list) => Object.fromEntries(list.map(([u, t, v]) => [`${u} ${t}`, JSON.parse(v)]));
      const inDuck = rows((await connection.runAndReadAll(tw.catalogToSql(c.catalog, { asOf: NOW }))).getRows());
      const inPg = rows(await pg.query(tw.catalogToSql(c.catalog, { asOf: NOW, dialect: 'postgres' })));
      assert.deepEqual(inDuck, engine, `${name}: DuckDB`);
      assert.deepEqual(inPg, engine, `${name}: PostgreSQL`);
    }
  } finally {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a path segment that is a number but no array index is refused', async () => {
  const tw = await createTagwise();
  for (const seg of ['-1', '01', '+1']) {
    assert.throws(() => tw.catalogToSql({ tagwise: 1, tags: [{ id: 't', when: { var: `arr.${seg}` } }] }, { asOf: NOW }),
      (e) => e instanceof TagwiseError && e.code === 'not_compilable_to_sql' && e.path === '/tags/0/when', seg);
  }
  assert.match(tw.catalogToSql({ tagwise: 1, tags: [{ id: 't', when: { var: 'arr.1' } }] }, { asOf: NOW }), /arr/);
});
