// Issue 21's differential test: seeded random catalogs (rules over mixed-type
// attributes and events: comparisons with JsonLogic's coercions, arithmetic,
// windows, `where`, decay, dates, bucket/logistic/ln/exp/clamp/round, tag
// references, parents, exclusive groups) on a synthetic log, evaluated by the
// engine (tw.tagProfiles), by DuckDB and by a real PostgreSQL server from
// the same compiled SQL. Every (user, tag, value) must agree; numbers to 12
// significant digits (SQL sums in another order).
//
//   TAGWISE_SQL_SEED=7 TAGWISE_SQL_CATALOGS=300 node --test tests/js/sql_differential.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DuckDBInstance } from '@duckdb/node-api';

import { createTagwise } from '../../js/index.node.js';
import { PURPOSES } from '../../js/purposes.js';
import { Gen } from './helpers.mjs';
import { startPostgres } from './sql/postgres.mjs';
import { differences, heldFromRows, loadDuckDb, loadPostgres } from './sql/tables.mjs';

const SEED = Number(process.env.TAGWISE_SQL_SEED ?? 20261208) >>> 0;
const CATALOGS = Number(process.env.TAGWISE_SQL_CATALOGS ?? 40);
const AS_OF = Date.UTC(2026, 11, 1, 12, 0, 0);
const DAY = 86_400_000;

// ---------------------------------------------------------------- the log

const COUNTRIES = ['中国', 'United Kingdom', 'France', '', 'Deutschland'];
const CATEGORIES = ['游戏点卡', '礼品卡', 'software', 'membership'];
const TYPES = ['view_item', 'order_paid', 'order_refunded'];

// Attribute values of every JSON type the rules meet (numbers as text too).
function attributes(g) {
  const a = {};
  const maybe = (key, make) => { if (g.chance(0.85)) a[key] = make(); };
  maybe('age', () => g.pick([g.int(12, 80), String(g.int(12, 80)), ` ${g.int(12, 80)} `, null, 'unknown', g.int(12, 80) + 0.5]));
  maybe('country', () => g.pick(COUNTRIES));
  maybe('vip', () => g.pick([true, false, 1, 0, 'true', '', null]));
  maybe('score', () => g.pick([g.int(-50, 500) / 4, g.int(0, 9), '12.5', '1e2', '0']));
  maybe('signup', () => g.pick([
    new Date(AS_OF - g.int(0, 400) * DAY).toISOString().slice(0, 10),
    new Date(AS_OF - g.int(0, 400) * DAY - g.int(0, DAY)).toISOString(),
    `2026-${String(g.int(1, 12)).padStart(2, '0')}-15T08:30:00+08:00`,
    AS_OF - g.int(0, 400) * DAY, '2026-02-30', 'soon', null]));
  maybe('labels', () => g.pick([['vip', 'new'], [], ['学生'], [1, 'vip'], 'vip-only']));
  return a;
}

function log(g, users) {
  const events = [];
  const profiles = [];
  for (let u = 0; u < users; u++) {
    const user_id = `u${u}`;
    const mine = [];
    const n = g.pick([0, 1, 3, 8, 20, 40]);
    for (let k = 0; k < n; k++) {
      const props = {};
      if (g.chance(0.9)) props.amount = g.pick([g.int(1, 500), g.int(1, 5000) / 100, String(g.int(1, 99)), null, 'free']);
      if (g.chance(0.9)) props.item = g.pick(['A1', 'A2', 'B7', 42, '42', 'C9']);
      if (g.chance(0.8)) props.category = g.pick(CATEGORIES);
      if (g.chance(0.5)) props.qty = g.int(1, 4);
      const ts = AS_OF - g.int(-3, 200) * DAY - g.int(0, DAY);
      const e = { user_id, id: `${user_id}-${k}`, type: g.pick(TYPES), ts, props };
      mine.push(e);
      if (g.chance(0.05)) mine.push({ ...e, props: { ...e.props } }); // a second delivery of the same event
    }
    events.push(...mine);
    profiles.push({ user_id, attributes: attributes(g), events: mine.map(({ user_id: _, ...e }) => e) });
  }
  return { events, users: profiles.map((p) => ({ user_id: p.user_id, attributes: p.attributes })), profiles };
}

// ---------------------------------------------------------------- rules

const ATTRS = ['age', 'country', 'vip', 'score', 'signup', 'labels', 'missing'];
const SCALARS = ATTRS.filter((a) => a !== 'labels');

function literal(g) {
  return g.pick([g.int(-5, 100), g.int(0, 400) / 8, String(g.int(0, 60)), 'United Kingdom', '中国', '', 'true', true, false, null, 0]);
}

function whereRule(g, depth = 0) {
  if (depth < 2 && g.chance(0.25)) return { [g.pick(['and', 'or'])]: [whereRule(g, depth + 1), whereRule(g, depth + 1)] };
  if (g.chance(0.1)) return { '!': whereRule(g, depth + 1) };
  const prop = { var: g.pick(['amount', 'item', 'category', 'qty', 'none']) };
  return g.pick([
    { [g.pick(['==', '!=', '===', '<', '>=', '>'])]: [prop, literal(g)] },
    { in: [prop, [g.pick(['A1', 42, '42']), g.pick(CATEGORIES), 2, null]] },
    { in: [g.pick(['卡', 'soft', 'A']), prop] },
    { '<=': [1, prop, 60] },
  ]);
}

function eventsRule(g, aggs = ['count', 'sum', 'avg', 'min', 'max', 'distinct', 'first_ts', 'last_ts', 'exists']) {
  const spec = {};
  if (g.chance(0.8)) spec.type = g.chance(0.8) ? g.pick(TYPES) : [g.pick(TYPES), g.pick(TYPES)];
  if (g.chance(0.5)) spec.within = g.pick(['7d', '30d', '90d', '36h', 86_400_000 * 3]);
  spec.agg = g.pick(aggs);
  if (['sum', 'avg', 'min', 'max', 'distinct'].includes(spec.agg)) spec.field = g.pick(['amount', 'item', 'qty', 'category']);
  if (g.chance(0.3)) spec.where = whereRule(g);
  if ((spec.agg === 'count' || spec.agg === 'sum') && g.chance(0.25)) spec.half_life = g.pick(['7d', '30d']);
  return { events: [spec] };
}

function numberRule(g, ctx, depth = 0) {
  const leaf = () => g.pick([
    () => eventsRule(g, ['count', 'sum', 'avg', 'distinct', 'min', 'max']),
    () => ({ var: g.pick(['age', 'score', 'missing']) }),
    () => g.int(-3, 30),
    () => ({ days_since: [g.chance(0.5) ? { var: 'signup' } : eventsRule(g, ['last_ts', 'first_ts'])] }),
    () => (ctx.valued.length ? { tag_value: g.pick(ctx.valued) } : g.int(0, 9)),
  ])();
  if (depth >= 2 || g.chance(0.4)) return leaf();
  const a = numberRule(g, ctx, depth + 1);
  const b = numberRule(g, ctx, depth + 1);
  return g.pick([
    () => ({ '+': [a, b] }), () => ({ '-': [a, b] }), () => ({ '*': [a, b] }), () => ({ '/': [a, b] }),
    () => ({ '%': [a, g.int(1, 7)] }), () => ({ min: [a, b] }), () => ({ max: [a, b, 1] }),
    () => ({ bucket: [a, [0, 2, 5, 10, 50]] }), () => ({ round: [a, g.int(0, 2)] }),
    () => ({ clamp: [a, 0, 100] }), () => ({ ln: [{ '+': [1, { clamp: [a, 0, 1e6] }] }] }),
    () => ({ exp: [{ clamp: [a, -5, 5] }] }), () => ({ logistic: [g.int(-2, 2), [0.1, a], [-0.05, b]] }),
  ])();
}

function boolRule(g, ctx, depth = 0) {
  if (depth < 2 && g.chance(0.3)) {
    const op = g.pick(['and', 'or']);
    return { [op]: [boolRule(g, ctx, depth + 1), boolRule(g, ctx, depth + 1)] };
  }
  // Not `labels` (an array): JS compares String([..]) = "a,b", which the
  // SQL does not (docs/sql.md, "What differs").
  const anything = () => g.pick([() => ({ var: g.pick(SCALARS) }), () => literal(g), () => numberRule(g, ctx, 1)])();
  return g.pick([
    () => ({ [g.pick(['>=', '<', '>', '<='])]: [numberRule(g, ctx), g.int(0, 40)] }),
    () => ({ [g.pick(['==', '!=', '===', '!==', '<', '>='])]: [anything(), anything()] }),
    () => ({ '<': [0, numberRule(g, ctx), g.int(5, 200)] }),
    () => ({ in: [{ var: g.pick(['country', 'age', 'labels']) }, ['中国', 'France', 30, '30', null, true]] }),
    () => ({ in: [g.pick(['vip', '国', 'n']), { var: g.pick(['country', 'labels', 'age']) }] }),
    () => ({ '!': { var: g.pick(ATTRS) } }),
    () => ({ '!!': anything() }),
    () => eventsRule(g, ['exists']),
    () => ({ if: [{ var: 'vip' }, { '>=': [numberRule(g, ctx), 2] }, { '==': [{ var: 'country' }, '中国'] }] }),
    () => (ctx.held.length ? { tag: g.pick(ctx.held) } : true),
    () => ({ '<=': [{ days_since: [{ var: 'signup' }] }, g.int(10, 300)] }),
  ])();
}

function catalog(g) {
  const tags = [];
  const ctx = { held: [], valued: [] };
  const group = { id: 'stage', name: '阶段', exclusive: true };
  const n = g.int(4, 10);
  // Tags that read (through any chain) a member of the exclusive group: a
  // member reading one of them would be a loop through the group.
  const afterGroup = new Set();
  const reads = (rule) => JSON.stringify(rule ?? null).match(/"tag(?:_value)?":"(t\d+)"/g)?.map((m) => m.split('"')[3]) ?? [];
  for (let i = 0; i < n; i++) {
    const inGroup = g.chance(0.3);
    const seen = inGroup ? { held: ctx.held.filter((id) => !afterGroup.has(id)), valued: ctx.valued.filter((id) => !afterGroup.has(id)) } : ctx;
    const t = { id: `t${i}`, name: `标签${i}`, when: boolRule(g, seen) };
    // cat prints a number's digits: rounded, so sums in SQL's order print the same.
    if (g.chance(0.3)) t.value = g.chance(0.8) ? numberRule(g, seen) : { cat: ['L', { var: 'country' }, { round: [numberRule(g, seen, 2), 3] }] };
    if (inGroup) {
      t.group = 'stage';
      t.priority = g.int(0, 2);
    }
    if (inGroup || [...reads(t.when), ...reads(t.value)].some((id) => afterGroup.has(id))) afterGroup.add(t.id);
    tags.push(t);
    ctx.held.push(t.id);
    if (t.value) ctx.valued.push(t.id);
  }
  // Parents: rule-less tags no rule reads, held through their children.
  for (let p = 0; p < 2; p++) {
    const parent = { id: `p${p}`, name: `父${p}`, ...(g.chance(0.5) ? { when: eventsRule(g, ['exists']) } : {}) };
    for (const t of tags) if (!t.parent && g.chance(0.3)) t.parent = parent.id;
    tags.push(parent);
  }
  return { tagwise: 1, groups: [group], tags: tags.map((t) => ({ ...t, purpose: 'necessary' })) };
}

test('random catalogs: the engine, DuckDB and PostgreSQL give every user the same tags', { timeout: 600_000 }, async () => {
  const g = new Gen(SEED);
  const data = log(g, 80);
  const tw = await createTagwise({ purposes: PURPOSES });
  const dir = mkdtempSync(join(tmpdir(), 'tagwise-sqldiff-'));
  const duck = await DuckDBInstance.create(':memory:');
  const connection = await duck.connect();
  await loadDuckDb(connection, data, dir);
  const pg = await startPostgres();
  const failures = [];
  let held = 0;
  try {
    await loadPostgres(pg, data);
    for (let c = 0; c < CATALOGS; c++) {
      const cat = catalog(g);
      const loaded = tw.loadCatalog(cat, { now: AS_OF });
      assert.ok(loaded.ok, JSON.stringify(loaded.errors));
      const engine = new Map();
      for (const p of tw.tagProfiles(data.profiles, { now: AS_OF, purposes: PURPOSES })) {
        assert.equal(p.errors, undefined, JSON.stringify(p.errors));
        for (const [tag, value] of Object.entries(p.tags)) engine.set(`${p.user_id}\t${tag}`, value);
      }
      held += engine.size;
      const duckRows = (await connection.runAndReadAll(tw.catalogToSql(cat, { asOf: AS_OF }))).getRows();
      const pgRows = await pg.query(tw.catalogToSql(cat, { asOf: AS_OF, dialect: 'postgres' }));
      for (const [name, rows] of [['DuckDB', duckRows], ['PostgreSQL', pgRows]]) {
        const diff = differences(engine, heldFromRows(rows));
        if (diff.length) failures.push({ catalog: c, engine: name, diff: diff.slice(0, 3), tags: cat.tags });
      }
    }
  } finally {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`seed ${SEED}: ${CATALOGS} catalogs, ${held} held (user, tag) pairs, ${failures.length} catalogs differing`);
  assert.ok(held > CATALOGS * 20, `the catalogs hold too little to prove anything (${held})`);
  assert.deepEqual(failures.slice(0, 2), []);
});
