// Side-by-side benchmark: the same 50 JsonLogic rules x 10,000 generated user
// records through tagwise (WASM: compileRules + evaluateMany, one boundary
// crossing per batch, the records as typed columns: js/rule_columns.js; and
// the same set forced onto the JSON path) and the JS peers json-logic-js,
// json-logic-engine interpreted (LogicEngine.run) and compiled (LogicEngine.build).
//
//   node bench/node/rules_vs_peers.mjs [--records 10000] [--runs 7]
//
// First checks that every engine produces identical results (aborts on a
// mismatch), then times each (best of --runs after a warm-up) and prints ns
// per rule evaluation and the ratio to tagwise's batch. A benchmark, not a
// test: nothing here asserts a time.
import { createRequire } from 'node:module';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { createTagwise } from 'tagwise';
import { prng } from '../prng.mjs';

const require = createRequire(import.meta.url);
const jsonLogic = require('json-logic-js');
const { LogicEngine } = require('json-logic-engine');

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '7' },
  },
});
const RECORDS = Number(args.records);
const RUNS = Number(args.runs);

// ---------------------------------------------------------------- data

const CITIES = ['上海', '北京', '深圳', '广州', '杭州', '成都', '武汉', 'Hong Kong', 'Singapore'];
const TAGS = ['游戏', '图书', '母婴', '数码', '美妆', '运动', '学生', '上班族'];
const LEVELS = ['青铜', '白银', '黄金', '钻石'];
const DEVICES = ['iOS', 'Android', 'Web', '小程序'];
const SEGMENTS = ['新用户', '活跃', '沉睡', '流失'];

function makeRecords(n, seed) {
  const rnd = prng(seed);
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
  return Array.from({ length: n }, (_, i) => {
    const tags = TAGS.filter(() => rnd() < 0.3);
    const r = {
      id: `u${i}`,
      age: int(14, 70),
      gender: rnd() < 0.5 ? '女' : '男',
      city: pick(CITIES),
      country: rnd() < 0.85 ? 'CN' : 'SG',
      level: pick(LEVELS),
      vip: rnd() < 0.1,
      orders: int(0, 40),
      spend: Math.round(rnd() * 800000) / 100,
      coupons: int(0, 5),
      cart_value: Math.round(rnd() * 300000) / 100,
      days_since_login: int(0, 400),
      device: pick(DEVICES),
      tags,
      profile: { score: Math.round(rnd() * 1000) / 1000, segment: pick(SEGMENTS), 渠道: rnd() < 0.5 ? '抖音' : '微信' },
    };
    if (rnd() < 0.6) r.email = `u${i}@example.com`;
    if (rnd() < 0.4) r.phone = `138${String(int(0, 99999999)).padStart(8, '0')}`;
    return r;
  });
}

// ---------------------------------------------------------------- rules

const v = (path) => ({ var: path });
const RULES = [
  { '>=': [v('age'), 18] },
  { and: [{ '>': [v('spend'), 1000] }, { '<': [v('days_since_login'), 30] }] },
  { in: [v('city'), ['上海', '北京', '深圳', '广州']] },
  { '==': [v('gender'), '女'] },
  { or: [v('vip'), { '>=': [v('orders'), 10] }] },
  { '<': [18, v('age'), 35] },
  { '*': [v('spend'), 0.05] },
  { '+': [v('orders'), v('coupons')] },
  { if: [{ '>': [v('spend'), 5000] }, '钻石', { '>': [v('spend'), 1000] }, '黄金', '普通'] },
  { in: ['游戏', v('tags')] },
  { var: 'profile.segment' },
  { '!': [v('email')] },
  { '>': [v('profile.score'), 0.7] },
  { '%': [v('orders'), 2] },
  { '==': [v('device'), 'iOS'] },
  { and: [{ '==': [v('country'), 'CN'] }, { in: [v('city'), ['上海', '杭州']] }] },
  { '-': [v('cart_value'), v('coupons')] },
  { max: [v('orders'), v('coupons'), 3] },
  { min: [v('age'), 60] },
  { '!!': [v('phone')] },
  { '<=': [v('days_since_login'), 7] },
  { and: [{ '>=': [v('age'), 25] }, { '<=': [v('age'), 40] }, { '==': [v('gender'), '女'] }, { in: ['母婴', v('tags')] }] },
  { or: [{ '==': [v('level'), '钻石'] }, { '==': [v('level'), '黄金'] }] },
  { '>': [{ '*': [v('orders'), 100] }, v('spend')] },
  { '/': [v('spend'), { '+': [v('orders'), 1] }] },
  { '!=': [v('profile.渠道'), '抖音'] },
  { in: ['@example.com', { cat: ['', v('email')] }] },
  { '===': [v('coupons'), 0] },
  { if: [v('vip'), 'VIP', { '>=': [v('orders'), 20] }, '常客', '访客'] },
  { and: [{ '>': [v('cart_value'), 500] }, { '!': [v('vip')] }] },
  { some: [v('tags'), { in: [v(''), ['游戏', '数码']] }] },
  { all: [v('tags'), { '!=': [v(''), '学生'] }] },
  { none: [v('tags'), { '==': [v(''), '运动'] }] },
  { '<': [v('profile.score'), 0.2] },
  { '+': [{ '*': [v('orders'), 2] }, { '*': [v('coupons'), 5] }, 1] },
  { cat: [v('city'), '·', v('level')] },
  { '==': [v('city'), v('profile.segment')] },
  { and: [{ in: [v('device'), ['iOS', 'Android']] }, { '>': [v('spend'), 300] }] },
  { or: [{ '<': [v('age'), 18] }, { '>': [v('age'), 60] }] },
  { '>=': [{ '+': [v('spend'), v('cart_value')] }, 2000] },
  { if: [{ '<': [v('days_since_login'), 30] }, '活跃', { '<': [v('days_since_login'), 180] }, '沉睡', '流失'] },
  { '==': [v('profile.segment'), '新用户'] },
  { '>': [v('orders'), 0] },
  { and: [v('email'), v('phone')] },
  { '-': [100, v('age')] },
  { in: [v('level'), '青铜白银'] },
  { '!': [{ in: ['学生', v('tags')] }] },
  { or: [{ '>=': [v('profile.score'), 0.9] }, { and: [{ '>=': [v('profile.score'), 0.5] }, v('vip')] }] },
  { '<=': [1, v('coupons'), 3] },
  { substr: [v('city'), 0, 1] },
];
if (RULES.length !== 50) throw new Error(`expected 50 rules, have ${RULES.length}`);

// ---------------------------------------------------------------- engines

const records = makeRecords(RECORDS, 20261120);
const tw = await createTagwise();
const set = tw.compileRules(RULES);
const compiledOne = RULES.map((r) => tw.compileRule(r));
const engine = new LogicEngine();
const built = RULES.map((r) => engine.build(r));

function perRecord(fn) {
  return () => {
    const out = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      const rec = records[i];
      const row = new Array(RULES.length);
      for (let k = 0; k < RULES.length; k++) row[k] = fn(k, rec);
      out[i] = row;
    }
    return out;
  };
}

// The same rules plus one the column evaluator does not cover (`missing`):
// the whole set then takes the JSON path (records serialized, parsed in wasm),
// which is also what the browser's module does. Its 51st slot is dropped.
const jsonPath = tw.compileRules([...RULES, { missing: ['no_such_field'] }]);
if (set._handle.columns === null || jsonPath._handle.columns !== null) throw new Error('expected the set on the column path and the other on the JSON path');

const contenders = [
  { name: 'tagwise evaluateMany (WASM, 1 call per batch)', run: () => set.evaluateMany(records), reference: true },
  { name: 'tagwise evaluateMany, JSON path (+1 rule)', run: () => jsonPath.evaluateMany(records).map((row) => row.slice(0, RULES.length)) },
  { name: 'tagwise RuleSet.evaluate (1 call per record)', run: () => records.map((r) => set.evaluate(r)) },
  { name: 'tagwise CompiledRule.evaluate (1 call per rule)', run: perRecord((k, rec) => compiledOne[k].evaluate(rec)) },
  { name: 'json-logic-js 2.0.5 apply', run: perRecord((k, rec) => jsonLogic.apply(RULES[k], rec)) },
  { name: 'json-logic-engine 5.0.7 run (interpreted)', run: perRecord((k, rec) => engine.run(RULES[k], rec)) },
  { name: 'json-logic-engine 5.0.7 build (compiled)', run: perRecord((k, rec) => built[k](rec)) },
];

// ---------------------------------------------------------------- check, then time

const expected = contenders[0].run();
for (const c of contenders.slice(1)) {
  const got = c.run();
  for (let i = 0; i < records.length; i++) {
    for (let k = 0; k < RULES.length; k++) {
      if (!isDeepStrictEqual(got[i][k], expected[i][k])) {
        console.error(`MISMATCH: ${c.name} vs tagwise on rule ${k} ${JSON.stringify(RULES[k])}, record ${i} ${JSON.stringify(records[i])}:`);
        console.error(`  ${c.name}: ${JSON.stringify(got[i][k])}   tagwise: ${JSON.stringify(expected[i][k])}`);
        process.exit(1);
      }
    }
  }
}
console.log(`results identical across ${contenders.length} engines: ${RULES.length} rules x ${records.length} records`);

const evaluations = RULES.length * records.length;
const results = [];
for (const c of contenders) {
  c.run(); // warm-up
  let best = Infinity;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    c.run();
    best = Math.min(best, performance.now() - t0);
  }
  results.push({ name: c.name, ns: (best * 1e6) / evaluations, ms: best });
}

const base = results[0].ns;
console.log(`\nnode ${process.version}, best of ${RUNS} runs, ${evaluations.toLocaleString('en')} rule evaluations per run`);
console.log(`${'engine'.padEnd(50)} ${'ns/eval'.padStart(9)} ${'ms/run'.padStart(9)} ${'vs tagwise batch'.padStart(17)}`);
for (const r of results) {
  const ratio = r.ns / base;
  const label = ratio >= 1 ? `${ratio.toFixed(2)}x slower` : `${(1 / ratio).toFixed(2)}x faster`;
  console.log(`${r.name.padEnd(50)} ${r.ns.toFixed(1).padStart(9)} ${r.ms.toFixed(1).padStart(9)} ${(r === results[0] ? '1.00x' : label).padStart(17)}`);
}

// Where tagwise's batch time goes: the same batch with rules that only read
// each field costs the boundary (cells written in JS, read in wasm, results
// read back) and almost no evaluation.
const reads = tw.compileRules(set._handle.columns.paths.map((segs) => ({ '!!': [{ var: segs.join('.') }] })));
reads.evaluateMany(records);
let floor = Infinity;
for (let r = 0; r < RUNS; r++) {
  const t0 = performance.now();
  reads.evaluateMany(records);
  floor = Math.min(floor, performance.now() - t0);
}
const fields = reads.size;
console.log(`\ntagwise boundary: the ${fields} fields the rules read, each read by one rule of one operation: ${floor.toFixed(1)} ms/run (the 50 rules: ${results[0].ms.toFixed(1)} ms)`);
reads.dispose();
jsonPath.dispose();
set.dispose();
for (const c of compiledOne) c.dispose();
