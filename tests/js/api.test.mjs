// Behaviour of the public JS API (imported by package name, as users do).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createTagwise, TagwiseError } from 'tagwise';

// A gc() for the finalization test without needing `node --expose-gc`.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const jsonLogic = createRequire(import.meta.url)('json-logic-js');
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 20);

const profile = {
  user_id: 'u-1',
  attributes: { 城市: '上海' },
  events: [
    { id: 'e1', type: '下单', ts: NOW - 40 * DAY, props: { amount: 10, 品类: '游戏' } },
    { id: 'e2', type: '下单', ts: NOW - 30 * DAY, props: { amount: 20, 品类: '游戏' } },
    { id: 'e3', type: '下单', ts: NOW - 2 * DAY, props: { amount: 30, 品类: '图书' } },
    { id: 'e4', type: '浏览', ts: NOW - 1 * DAY, props: {} },
  ],
};

test('createTagwise resolves to independent instances over one loaded module', async () => {
  const [a, b] = await Promise.all([createTagwise(), createTagwise({ clock: () => 42 })]);
  assert.notEqual(a, b);
  assert.equal(b.evaluate({ now: [] }), 42);
  assert.equal(a.evaluate({ '+': [1, 2] }), 3);
});

test('the clock option is the default evaluation time and `now` overrides it', async () => {
  const tw = await createTagwise({ clock: () => 1_000 });
  const rule = tw.compileRule({ now: [] });
  assert.equal(rule.evaluate({}), 1_000);
  assert.equal(rule.evaluate({}, { now: 5 }), 5);
  assert.equal(rule.evaluate({}, { now: new Date(7) }), 7);
});

test('compileRule evaluates JsonLogic on data and events aggregates on a profile with Chinese names', async () => {
  const tw = await createTagwise();
  const heavyBuyer = tw.compileRule({
    and: [
      { '>=': [{ events: [{ type: '下单', within: '30d' }] }, 2] },
      { '==': [{ var: '城市' }, '上海'] },
    ],
  });
  assert.equal(heavyBuyer.evaluate({ 城市: '上海' }, { now: NOW, profile }), true, 'the event exactly 30 days ago counts');
  assert.equal(heavyBuyer.evaluate({ 城市: '上海' }, { now: NOW + 1, profile }), false, 'one ms later it falls out');
  assert.equal(heavyBuyer.evaluate({ 城市: '北京' }, { now: NOW, profile }), false);
  const spent = tw.compileRule({ events: [{ type: '下单', agg: 'sum', field: 'amount', where: { '==': [{ var: '品类' }, '游戏'] } }] });
  assert.equal(spent.evaluate({}, { now: NOW, profile }), 30);
  assert.equal(spent.evaluate({}, { now: NOW }), 0, 'no profile means no events');
  assert.equal(tw.compileRule({ cat: ['你好', '，', { var: '名字' }] }).evaluate({ 名字: '世界' }), '你好，世界');
});

test('literal rules evaluate to themselves: a string is a JSON string literal, not rule text', async () => {
  const tw = await createTagwise();
  assert.equal(tw.compileRule('{"var":"a"}').evaluate({ a: 1 }), '{"var":"a"}');
  assert.equal(tw.evaluate(17), 17);
  assert.equal(tw.evaluate(null), null);
  assert.deepEqual(tw.evaluate(['a', { var: 'x' }], { x: '你' }), ['a', '你']);
});

test('a bad rule throws TagwiseError with code, path and every problem, messages in intact UTF-8', async () => {
  const tw = await createTagwise();
  const rule = { and: [{ evnets: [{ type: '下单' }] }, { events: [{ type: '下单', within: '三十天' }] }] };
  const error = captured(() => tw.compileRule(rule));
  assert.ok(error instanceof TagwiseError);
  assert.ok(error instanceof Error);
  assert.equal(error.name, 'TagwiseError');
  assert.equal(error.code, 'unknown_operator');
  assert.match(error.path, /^\/and\/0/);
  assert.match(error.message, /events/, 'suggests the closest operator');
  const codes = error.errors.map((e) => e.code);
  assert.ok(codes.includes('unknown_operator') && codes.includes('bad_duration'), JSON.stringify(error.errors));
  const bad = error.errors.find((e) => e.code === 'bad_duration');
  assert.match(bad.path, /^\/and\/1\/events\/0/);
  assert.ok(bad.message.includes('三十天'), `message keeps the Chinese text: ${bad.message}`);
  for (const e of error.errors) {
    assert.deepEqual(Object.keys(e).sort(), ['code', 'message', 'path', 'severity']);
    assert.equal(e.severity, 'error');
  }
});

function captured(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail('expected a throw');
}

test('an unknown Chinese operator name survives into the error message', async () => {
  const tw = await createTagwise();
  const e = captured(() => tw.compileRule({ 买过: ['手机'] }));
  assert.ok(e instanceof TagwiseError);
  assert.equal(e.code, 'unknown_operator');
  assert.equal(e.path, '/买过');
  assert.ok(e.message.includes('买过'), e.message);
});

test('validateRule lists problems without throwing and returns [] for a good rule', async () => {
  const tw = await createTagwise();
  assert.deepEqual(tw.validateRule({ '>=': [{ var: 'orders' }, 5] }), []);
  const problems = tw.validateRule({ or: [{ evnets: [] }, { date: ['not a date'] }] });
  assert.ok(problems.length >= 2, JSON.stringify(problems));
  assert.deepEqual(problems.map((p) => p.code).sort(), ['bad_date', 'unknown_operator']);
  const nan = tw.validateRule({ '==': [{ var: 'x' }, NaN] });
  assert.deepEqual(nan.map(({ code, path }) => ({ code, path })), [{ code: 'invalid_rule', path: '/==/1' }]);
});

test('compileRules reports problems of every rule with the rule index in the path', async () => {
  const tw = await createTagwise();
  const e = captured(() => tw.compileRules([{ var: 'a' }, { nope: [] }, true, { days_since: [] }]));
  assert.ok(e instanceof TagwiseError);
  assert.equal(e.code, 'unknown_operator');
  assert.equal(e.path, '/1/nope');
  assert.deepEqual(e.errors.map((p) => p.ruleIndex), [1, 3]);
  assert.match(e.errors[1].path, /^\/3/);
});

test('evaluateMany gives each record the array of its rule results, same as one record at a time and as json-logic-js', async () => {
  const tw = await createTagwise();
  const rules = [
    { '>=': [{ var: 'orders' }, 5] },
    { in: [{ var: 'city' }, ['上海', '北京', '深圳']] },
    { if: [{ '>': [{ var: 'spend' }, 1000] }, '高价值', { '>': [{ var: 'spend' }, 100] }, '中价值', '低价值'] },
    { '*': [{ var: 'spend' }, 0.1] },
    { cat: [{ var: 'name' }, '·', { var: 'city' }] },
    { some: [{ var: 'tags' }, { '==': [{ var: '' }, '学生'] }] },
    { missing: ['name', 'email'] },
    { var: 'profile.level' },
    { merge: [{ var: 'tags' }, ['全部']] },
  ];
  const cities = ['上海', '北京', '广州', '深圳', 'Zürich', ''];
  const records = Array.from({ length: 3000 }, (_, i) => ({
    orders: i % 11,
    city: cities[i % cities.length],
    spend: (i * 37) % 2500,
    name: `用户${i}`,
    tags: i % 3 === 0 ? ['学生', '游戏'] : ['上班族'],
    ...(i % 5 === 0 ? { email: `u${i}@example.com` } : {}),
    profile: { level: i % 4 === 0 ? null : i % 4 },
  }));
  const set = tw.compileRules(rules);
  assert.equal(set.size, rules.length);
  assert.deepEqual(set.rules, rules);
  const out = set.evaluateMany(records);
  assert.equal(out.length, records.length);
  records.forEach((record, i) => {
    const expected = rules.map((r) => jsonLogic.apply(r, record));
    assert.deepStrictEqual(out[i], expected, `record ${i}`);
  });
  assert.deepStrictEqual(set.evaluate(records[7]), out[7]);
  assert.deepStrictEqual(set.evaluateMany([]), []);
  set.dispose();
});

test('NaN, ±Infinity and -0 results survive the boundary, also inside arrays and objects', async () => {
  const tw = await createTagwise();
  assert.equal(tw.evaluate({ '/': [1, 0] }), Infinity);
  assert.equal(tw.evaluate({ '/': [-1, 0] }), -Infinity);
  assert.ok(Number.isNaN(tw.evaluate({ '*': ['苹果', 2] })));
  assert.ok(Object.is(tw.evaluate({ '*': [-1, 0] }), -0));
  assert.deepStrictEqual(tw.evaluate({ map: [[0, 1, -1, 2], { '/': [{ var: '' }, 0] }] }), [NaN, Infinity, -Infinity, Infinity]);
  assert.deepStrictEqual(tw.evaluate({ map: [{ var: 'xs' }, { '/': [1, { var: '' }] }] }, { xs: [0, 2] }), [Infinity, 0.5]);
  const set = tw.compileRules([{ '/': [{ var: 'a' }, { var: 'b' }] }, { map: [[1], { '-': [{ '/': [{ var: '' }, 0] }] }] }]);
  assert.deepStrictEqual(set.evaluateMany([{ a: 0, b: 0 }, { a: 1, b: 0 }, { a: 1, b: 4 }]), [
    [NaN, [-Infinity]],
    [Infinity, [-Infinity]],
    [0.25, [-Infinity]],
  ]);
});

test('a `throw` rule throws TagwiseError "thrown" with the value; in evaluateMany the error sits in its slot', async () => {
  const tw = await createTagwise();
  const rule = tw.compileRule({ if: [{ var: 'ok' }, '好', { throw: { var: 'error' } }] });
  assert.equal(rule.evaluate({ ok: true }), '好');
  const e = captured(() => rule.evaluate({ ok: false, error: { type: '库存不足', sku: 'A-1' } }));
  assert.ok(e instanceof TagwiseError);
  assert.equal(e.code, 'thrown');
  assert.deepEqual(e.value, { type: '库存不足', sku: 'A-1' });
  assert.ok(e.message.includes('库存不足'), e.message);
  // A thrown string arrives as the suites' error object {type: ...} or as itself.
  const thrownType = (v) => (v !== null && typeof v === 'object' ? v.type : v);
  assert.throws(() => tw.evaluate({ throw: '没货' }), (err) => err instanceof TagwiseError && thrownType(err.value) === '没货');

  const set = tw.compileRules([{ var: 'n' }, { if: [{ '>': [{ var: 'n' }, 1] }, { throw: { var: 'n' } }, 'fine'] }]);
  const rows = set.evaluateMany([{ n: 1 }, { n: 2 }, { n: 3 }]);
  assert.deepStrictEqual(rows[0], [1, 'fine']);
  assert.equal(rows[1][0], 2);
  assert.ok(rows[1][1] instanceof TagwiseError);
  assert.equal(rows[1][1].code, 'thrown');
  assert.equal(thrownType(rows[1][1].value), 2);
  assert.equal(thrownType(rows[2][1].value), 3);
});

test('dispose frees a compiled rule: idempotent, later use throws, other rules unaffected', async () => {
  const tw = await createTagwise();
  const a = tw.compileRule({ var: 'x' });
  const b = tw.compileRules([{ var: 'x' }]);
  assert.equal(a.disposed, false);
  a.dispose();
  a.dispose();
  assert.equal(a.disposed, true);
  assert.throws(() => a.evaluate({ x: 1 }), /disposed/);
  assert.deepEqual(b.evaluate({ x: 1 }), [1]);
  b.dispose();
  assert.throws(() => b.evaluateMany([{ x: 1 }]), /disposed/);
});

test('rules dropped without dispose are freed by garbage collection', async () => {
  const tw = await createTagwise();
  // The wasm-side handle of a rule the program then drops (internal field, test only).
  const handle = (() => tw.compileRule({ '==': [{ var: 'x' }, 1] })._handle.handle)();
  assert.equal(handle.isDeleted(), false);
  for (let i = 0; i < 100 && !handle.isDeleted(); i++) {
    gc();
    await new Promise((r) => setTimeout(r, 5)); // finalizers run in a later task
  }
  assert.equal(handle.isDeleted(), true, 'the FinalizationRegistry freed the C++ rule set');
  assert.equal(tw.compileRule({ var: 'x' }).evaluate({ x: 1 }), 1);
});

test('tw.evaluate caches compiled rules in a bounded LRU and stays correct past its size', async () => {
  const tw = await createTagwise({ cacheSize: 4 });
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 10; i++) assert.equal(tw.evaluate({ '+': [{ var: 'x' }, i] }, { x: round }), round + i);
  }
  const noCache = await createTagwise({ cacheSize: 0 });
  assert.equal(noCache.evaluate({ '+': [1, 1] }), 2);
  tw.clearCache();
  assert.equal(tw.evaluate({ '+': [2, 2] }), 4);
});

test('the compiled rule exposes its canonical JSON and warnings', async () => {
  const tw = await createTagwise();
  const r = tw.compileRule({ '>': [{ var: '年龄' }, 18] });
  assert.deepEqual(r.rule, { '>': [{ var: '年龄' }, 18] });
  assert.ok(Array.isArray(r.warnings));
});

test('limits are options: maxDepth rejects deeper rules, maxSteps stops long evaluations', async () => {
  const tw = await createTagwise({ limits: { maxDepth: 4, maxSteps: 1000 } });
  let rule = { var: 'x' };
  for (let i = 0; i < 6; i++) rule = { '!': [rule] };
  assert.throws(() => tw.compileRule(rule), (e) => e instanceof TagwiseError && e.code === 'too_deep');
  const slow = tw.compileRule({ reduce: [{ var: 'xs' }, { '+': [{ var: 'current' }, { var: 'accumulator' }] }, 0] });
  const xs = Array.from({ length: 100_000 }, (_, i) => i);
  assert.throws(() => slow.evaluate({ xs }), (e) => e instanceof TagwiseError && e.code === 'evaluation_limit');
  assert.equal(slow.evaluate({ xs: [1, 2, 3] }), 6);
  await assert.rejects(createTagwise({ limits: { maxDepth: -1 } }), TypeError);
});

test('createTagwise loads the wasm from options.wasmBinary or options.wasmUrl, and a failed load can be retried', async () => {
  const { readFile } = await import('node:fs/promises');
  const url = new URL('../../js/dist/tagwise_wasm.wasm', import.meta.url);
  const fromBytes = await createTagwise({ wasmBinary: await readFile(url) });
  assert.equal(fromBytes.evaluate({ '+': [1, 2] }), 3);
  const fromUrl = await createTagwise({ wasmUrl: url });
  assert.equal(fromUrl.evaluate({ cat: ['标', '签'] }), '标签');
  const missing = new URL('./no-such.wasm', url);
  await assert.rejects(createTagwise({ wasmUrl: missing }), /ENOENT/);
  await assert.rejects(createTagwise({ wasmUrl: missing }), /ENOENT/, 'the failed load is not memoized');
  await assert.rejects(createTagwise({ clock: 'not a function' }), TypeError);
});
