// Bad input never crashes the instance: each gets a clear error (TagwiseError
// with a code, or TypeError for API misuse) or a defined JsonLogic result, and
// a normal evaluation still works afterwards on the same instance.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { createTagwise, TagwiseError } from 'tagwise';

const tw = await createTagwise();
const healthy = tw.compileRules([{ '>=': [{ var: 'n' }, 2] }, { cat: ['用户', { var: 'n' }] }]);

function stillWorks() {
  assert.deepStrictEqual(healthy.evaluateMany([{ n: 1 }, { n: 3 }]), [[false, '用户1'], [true, '用户3']]);
  assert.equal(tw.evaluate({ '+': [1, { var: 'x' }] }, { x: 2 }), 3);
}

function assertTagwiseError(fn, code, path) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof TagwiseError, `expected TagwiseError, got ${e?.stack ?? e}`);
    assert.equal(e.code, code, e.message);
    if (path !== undefined) assert.equal(e.path, path);
    assert.ok(e.message.length > 0);
    return true;
  });
  stillWorks();
}

function nest(depth, leaf, wrap) {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = wrap(v);
  return v;
}

test('malformed rule text gives a syntax error at line:column', () => {
  for (const text of ['events(order_paid, within', '((((', 'a >= ', '"unterminated', '>= 5 and', '\u0000', '{"and": [}']) {
    assert.throws(() => tw.parseRuleText(text), (e) => {
      assert.ok(e instanceof TagwiseError, String(e));
      assert.match(e.path, /^\d+:\d+$/, `${text}: ${e.path}`);
      return true;
    });
    stillWorks();
  }
  assert.throws(() => tw.parseRuleText(42), TypeError);
});

test('a rule nested 10,000 levels deep is rejected as too_deep', () => {
  assertTagwiseError(() => tw.compileRule(nest(10_000, { var: 'x' }, (r) => ({ '!': [r] }))), 'too_deep');
  assertTagwiseError(() => tw.compileRule(nest(10_000, 1, (r) => ({ '+': [r, 1] }))), 'too_deep');
  assertTagwiseError(() => tw.compileRules([true, nest(10_000, 1, (r) => [r])]), 'too_deep');
  const problems = tw.validateRule(nest(10_000, null, (r) => ({ and: [r] })));
  assert.equal(problems[0].code, 'too_deep');
  stillWorks();
});

/** Depth of a chain of single-key objects / one-element arrays, and its leaf (no recursion). */
function chain(v) {
  let depth = 0;
  while (v !== null && typeof v === 'object') {
    v = Array.isArray(v) ? v[0] : v.a;
    depth++;
  }
  return { depth, leaf: v };
}

test('data nested 1,000 levels deep is read and returned intact; 10,000 levels is too_deep', () => {
  const deep = nest(1_000, '底', (v) => ({ a: v }));
  assert.deepStrictEqual(chain(tw.evaluate({ var: '' }, deep)), { depth: 1_000, leaf: '底' });
  assert.deepStrictEqual(chain(tw.evaluate({ var: 'a.a.a' }, deep)), { depth: 997, leaf: '底' });
  const deepArray = nest(999, [], (v) => [v]);
  assert.deepStrictEqual(healthy.evaluate(deepArray), [false, '用户']);
  const rows = tw.compileRules([{ var: '0' }]).evaluateMany([deepArray, deepArray]);
  assert.deepStrictEqual(rows.map(([v]) => chain(v).depth), [999, 999], 'element 0 of a 1,000-level array');

  assertTagwiseError(() => tw.evaluate({ var: 'a' }, nest(10_000, '底', (v) => ({ a: v }))), 'too_deep', '');
  assertTagwiseError(() => healthy.evaluateMany([{ n: 1 }, nest(10_000, 1, (v) => [v])]), 'too_deep', '/1');
  assertTagwiseError(() => healthy.evaluate({ n: 1 }, { profile: { events: [{ id: 'e', type: 't', ts: 0, props: nest(10_000, 1, (v) => [v]) }] } }), 'too_deep', '/profile');
  assertTagwiseError(() => tw.evaluate({ var: 'a' }, nest(1_001, '底', (v) => ({ a: v }))), 'too_deep', '');
});

test('huge arrays in rules and data evaluate; rules past the size limit are too_large', async () => {
  const big = Array.from({ length: 200_000 }, (_, i) => `sku-${i}`);
  const member = tw.compileRule({ in: [{ var: 'sku' }, big] });
  assert.equal(member.evaluate({ sku: 'sku-199999' }), true);
  assert.equal(member.evaluate({ sku: 'sku-x' }), false);
  const xs = Array.from({ length: 1_000_000 }, (_, i) => i % 7);
  assert.equal(tw.evaluate({ reduce: [{ var: 'xs' }, { '+': [{ var: 'current' }, { var: 'accumulator' }] }, 0] }, { xs }),
    xs.reduce((a, b) => a + b, 0));
  assert.equal(tw.evaluate({ in: [6, { var: 'xs' }] }, { xs }), true);
  const small = await createTagwise({ limits: { maxNodes: 1_000 } });
  assert.throws(() => small.compileRule({ and: Array.from({ length: 2_000 }, (_, i) => ({ '==': [{ var: 'x' }, i] })) }),
    (e) => e instanceof TagwiseError && e.code === 'too_large');
  const many = healthy.evaluateMany(Array.from({ length: 200_000 }, (_, n) => ({ n })));
  assert.equal(many.length, 200_000);
  assert.deepStrictEqual(many[199_999], [true, '用户199999']);
  stillWorks();
});

test('values JSON cannot represent are rejected in rules with the path of the value', () => {
  assertTagwiseError(() => tw.compileRule({ '==': [{ var: 'x' }, NaN] }), 'invalid_rule', '/==/1');
  assertTagwiseError(() => tw.compileRule({ and: [true, { '<': [1, Infinity] }] }), 'invalid_rule', '/and/1/</1');
  assertTagwiseError(() => tw.compileRule({ 'a/b~c': [10n] }), 'invalid_rule', '/a~1b~0c/0');
  assertTagwiseError(() => tw.compileRule({ var: () => 'x' }), 'invalid_rule', '/var');
  assertTagwiseError(() => tw.compileRule(undefined), 'invalid_rule', '');
  assertTagwiseError(() => tw.compileRule(Symbol('x')), 'invalid_rule', '');
  const cyclic = { and: [] };
  cyclic.and.push(cyclic);
  assertTagwiseError(() => tw.compileRule(cyclic), 'invalid_rule', '/and/0');
  assertTagwiseError(() => tw.compileRules([true, { '+': [1, -Infinity] }]), 'invalid_rule', '/1/+/1');
  assert.throws(() => tw.compileRules({ 0: true }), TypeError);
});

test('data that is not JSON is an invalid_json error; NaN/Infinity in data become null as in JSON', () => {
  assertTagwiseError(() => tw.evaluate({ var: 'x' }, { x: 1n }), 'invalid_json', '');
  const cyclic = {};
  cyclic.self = cyclic;
  assertTagwiseError(() => healthy.evaluateMany([{ n: 1 }, { n: cyclic }]), 'invalid_json', '/1');
  assertTagwiseError(() => healthy.evaluateMany([{ n: 1 }, { n: 2 }, { n: 3n }]), 'invalid_json', '/2');
  // Node sends only the fields the rules read (js/rule_columns.js): a cycle
  // or a BigInt in a field no rule reads is not looked at.
  assert.deepStrictEqual(healthy.evaluateMany([{ n: 1 }, { ...cyclic, n: 3, big: 1n }]), [[false, '用户1'], [true, '用户3']]);
  assertTagwiseError(() => tw.compileRule({ var: 'x' }).evaluate({ x: 1 }, { profile: { events: [{ ts: 1n }] } }), 'invalid_json', '/events/0/ts');
  assert.equal(tw.evaluate({ var: 'x' }, { x: NaN }), null);
  assert.equal(tw.evaluate({ var: 'x' }, { x: -Infinity }), null);
  assert.equal(tw.evaluate({ var: 'x' }, { x: undefined }), null);
  assert.equal(tw.evaluate({ var: 'd' }, { d: new Date(0) }), '1970-01-01T00:00:00.000Z');
  stillWorks();
});

test('wrong types in data give JsonLogic results, not errors', () => {
  assert.equal(tw.evaluate({ '>': [{ var: 'n' }, 1] }, { n: { a: 1 } }), false);
  assert.equal(tw.evaluate({ '+': [{ var: 'n' }, 1] }, { n: [2] }), 3);
  assert.ok(Number.isNaN(tw.evaluate({ '+': [{ var: 'n' }, 1] }, { n: 'abc' })));
  assert.equal(tw.evaluate({ in: ['a', { var: 'n' }] }, { n: 5 }), false);
  assert.deepEqual(tw.evaluate({ map: [{ var: 'n' }, 1] }, { n: 'str' }), []);
  assert.equal(tw.evaluate({ var: 'a.b.c' }, 'not an object'), null);
  assert.equal(tw.evaluate({ substr: [{ var: 's' }, 1, 1] }, { s: '你好吗' }), '好');
  stillWorks();
});

test('lone UTF-16 surrogates in data, rules and rule text are replaced, not fatal', () => {
  assert.equal(tw.evaluate({ cat: [{ var: 's' }, '!'] }, { s: 'a\uD800b' }), 'a\uFFFDb!');
  assert.equal(tw.evaluate({ cat: [{ var: 's' }, '\uDC00'] }, { s: '\uD83D\uDE00' }), '\uD83D\uDE00\uFFFD');
  assert.deepStrictEqual(healthy.evaluateMany([{ n: '\uD83D' }]), [[false, '用户\uFFFD']]);
  assert.throws(() => tw.parseRuleText('\uDC00 >= 1'), TagwiseError);
  stillWorks();
});

test('bad evaluation options are TypeErrors or TagwiseErrors, never a crash', () => {
  const rule = tw.compileRule({ now: [] });
  assert.throws(() => rule.evaluate({}, { now: NaN }), TypeError);
  assert.throws(() => rule.evaluate({}, { now: '2026-01-01' }), TypeError);
  assert.throws(() => healthy.evaluateMany('not an array'), TypeError);
  assert.equal(rule.evaluate({}, { now: 8.64e15 }), 8.64e15);
  for (const badProfile of [{ events: 'x' }, { events: [{ id: 1, type: null, ts: 'soon' }] }, [1, 2], 'text']) {
    try {
      const v = tw.compileRule({ events: [{ type: 'x' }] }).evaluate({}, { now: 0, profile: badProfile });
      assert.equal(v, 0, 'a profile without valid events has no events');
    } catch (e) {
      assert.ok(e instanceof TagwiseError, String(e));
    }
    stillWorks();
  }
});

test('the instance survives memory growth between batches', () => {
  const set = tw.compileRules([{ var: 'payload' }, { '!!': [{ var: 'payload' }] }]);
  const payload = 'x'.repeat(1 << 16);
  const rows = set.evaluateMany(Array.from({ length: 500 }, () => ({ payload })));
  assert.equal(rows[499][0].length, 1 << 16);
  assert.deepStrictEqual(set.evaluate({ payload: 'y' }), ['y', true]);
  stillWorks();
});

test('offers, experiments and recommend turn BigInt and cycles into invalid_json TagwiseErrors at the value\'s path', async () => {
  const shop = await createTagwise({
    clock: () => 1_800_000_000_000,
    catalog: { tagwise: 1, tags: [{ id: 'buyer', name: '买家', when: { '>=': [{ events: [{ type: 'order_paid' }] }, 1] } }] },
    onError: () => {},
  });
  const cyclic = { name: 'x' };
  cyclic.self = cyclic;
  const refused = (fn, path) => {
    assert.throws(fn, (e) => {
      assert.ok(e instanceof TagwiseError, `expected TagwiseError, got ${e?.stack ?? e}`);
      assert.deepEqual([e.code, e.path], ['invalid_json', path], e.message);
      return true;
    });
  };
  refused(() => shop.offers.load({ offers: [{ id: 'a', name: 'A', priority: 1n }] }), '/offers/0/priority');
  refused(() => shop.offers.load([{ id: 'a', name: 'A', payload: cyclic }]), '/0/payload/self');
  shop.offers.load([{ id: 'a', name: 'A', priority: 1 }]);
  refused(() => shop.offers.eligible({ attributes: { vip: 2n } }), '/attributes/vip');
  refused(() => shop.experiments.run({ key: 'hero', variations: [0, 1], meta: [cyclic] }), '/meta/0/self');
  refused(() => shop.experiments.report({ variations: [{ id: 'a', users: 10n, conversions: 1 }] }), '/variations/0/users');
  refused(() => shop.recommend({ k: 3, context: { page: cyclic } }), '/context/page/self');
  // The instance is still whole.
  assert.deepEqual(shop.offers.eligible().map((o) => o.id), ['a']);
  assert.equal(typeof shop.experiments.run({ key: 'hero', variations: [0, 1] }).inExperiment, 'boolean');
});

test('a value that doubles in reduce is budget_exceeded, and a catalog holding it stays usable (issue 24)', async () => {
  const storm = { reduce: [{ var: 'a' }, { merge: [{ var: 'accumulator' }, { var: 'accumulator' }] }, [1]] };
  const a = Array.from({ length: 26 }, (_, i) => i);
  assertTagwiseError(() => tw.evaluate(storm, { a }), 'budget_exceeded');
  assertTagwiseError(() => tw.evaluate({ try: [storm, 'caught'] }, { a }), 'budget_exceeded');
  assert.equal(tw.evaluate(storm, { a: a.slice(0, 10) }).length, 1024, 'ten doublings are fine');

  // Put in a tag's value: that tag fails with the reason; every other tag,
  // setProfile, tags() and batches keep working.
  const NOW = 1_800_000_000_000;
  const shop = await createTagwise({ clock: () => NOW, storage: null, onError: () => {} });
  const loaded = shop.loadCatalog({ tagwise: 1, tags: [
    { id: 'grows', name: '膨胀', when: true, value: { reduce: [{ var: 'items' }, { merge: [{ var: 'accumulator' }, { var: 'accumulator' }] }, [1]] } },
    { id: 'buyer', name: '买家', when: { '>=': [{ events: [{ type: 'order_paid' }] }, 1] } },
  ] });
  assert.equal(loaded.ok, true, JSON.stringify(loaded.errors));
  const profile = { user_id: 'u1', attributes: { items: a }, events: [{ id: 'o1', type: 'order_paid', ts: NOW - 1000 }] };
  const r = shop.setProfile(profile);
  assert.equal(r.ok, true, JSON.stringify(r.errors));
  assert.deepEqual(shop.tags().map((t) => t.id).sort(), ['buyer', 'grows']);
  const grows = shop.tagDecisions().find((d) => d.id === 'grows');
  assert.match(grows.error, /budget/);
  const [bad, good] = shop.tagProfiles([profile, { user_id: 'u2', attributes: { items: [1] }, events: [] }], { now: NOW });
  assert.equal(bad.tags.buyer, true);
  assert.deepEqual(good.tags, { grows: [1, 1] });
});

// What a rule that sums a list costs: one budget step per item and a few more.
const sum = (start) => ({ '>': [{ reduce: [{ var: 'list' }, { '+': [{ var: 'current' }, { var: 'accumulator' }] }, start] }, 0] });
const list = Array.from({ length: 2000 }, (_, i) => i);

test('limits.maxSteps is one budget per call: per record in evaluateMany, per pass over the catalog (issue 24)', async () => {
  // Default: three such rules on two records all succeed.
  const rules = [sum(0), sum(1), sum(2)];
  assert.deepEqual(tw.compileRules(rules).evaluateMany([{ list }, { list }]), [[true, true, true], [true, true, true]]);
  // A budget that fits two of them: the third fails in each record, the
  // next record starts afresh, and the instance keeps working.
  const tight = await createTagwise({ limits: { maxSteps: 15_000 }, clock: () => 1_800_000_000_000, onError: () => {} });
  const [first, second] = tight.compileRules(rules).evaluateMany([{ list }, { list }]);
  for (const row of [first, second]) {
    assert.deepEqual(row.slice(0, 2), [true, true]);
    assert.ok(row[2] instanceof TagwiseError && row[2].code === 'budget_exceeded', String(row[2]));
  }
  assert.throws(() => tight.evaluate({ and: [sum(0), sum(1), sum(2), sum(3), sum(4), sum(5), sum(6), sum(7)] }, { list }),
    (e) => e instanceof TagwiseError && e.code === 'evaluation_limit');
  // The catalog: one pass shares the budget, and one tag may use a quarter
  // of it, so a runaway tag fails alone and the tags after it keep their
  // answers (the sharing itself: EngineTest.OnePassSharesOneBudget).
  const shop = await createTagwise({ clock: () => 1_800_000_000_000, onError: () => {} });
  const runaway = { some: [{ var: 'list' }, { some: [list, { '==': [{ var: '' }, -1] }] }] };
  shop.loadCatalog({ tagwise: 1, tags: [{ id: 'runaway', name: 'r', when: runaway }, { id: 't0', name: 't0', when: sum(0) }, { id: 't1', name: 't1', when: sum(1) }] });
  shop.setProfile({ user_id: 'u', attributes: { list }, events: [] });
  assert.deepEqual(shop.tags().map((t) => t.id), ['t0', 't1']);
  assert.match(shop.tagDecisions().find((d) => d.id === 'runaway').error, /5000000 steps/);
  await assert.rejects(createTagwise({ limits: { maxBuiltBytes: -1 } }), /maxBuiltBytes/);
});

test('limits.maxBuiltBytes bounds what one call builds (issue 24)', async () => {
  const small = await createTagwise({ limits: { maxBuiltBytes: 100_000 } });
  const build = { if: [true, { map: [{ var: 'list' }, { cat: ['商品-', { var: '' }] }] }] };
  assert.equal(tw.evaluate(build, { list }).length, 2000);
  assert.throws(() => small.evaluate(build, { list }), (e) => {
    assert.ok(e instanceof TagwiseError, String(e));
    assert.equal(e.code, 'budget_exceeded');
    assert.equal(e.path, '/if/1');
    return true;
  });
  assert.equal(small.evaluate(build, { list: list.slice(0, 10) }).length, 10);
});

test('memory a failed evaluation took is given back: the wasm heap stays bounded (issue 24)', async () => {
  // A module instance of its own, whose memory the test can read.
  const bytes = await readFile(new URL('../../js/dist/tagwise_wasm.wasm', import.meta.url));
  let memory = null;
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = async function (...args) {
    const r = await instantiate.apply(this, args);
    memory ??= Object.values((r.instance ?? r).exports).find((v) => v instanceof WebAssembly.Memory);
    return r;
  };
  let own;
  try {
    own = await createTagwise({ wasmBinary: new Uint8Array(bytes) });
  } finally {
    WebAssembly.instantiate = instantiate;
  }
  assert.ok(memory, 'the module exports its memory');
  const heap = () => memory.buffer.byteLength;
  const before = heap();
  const a = Array.from({ length: 40 }, (_, i) => i);
  const costly = [
    { reduce: [{ var: 'a' }, { merge: [{ var: 'accumulator' }, { var: 'accumulator' }] }, [1]] },
    { reduce: [{ var: 'a' }, { cat: [{ var: 'accumulator' }, { var: 'accumulator' }] }, 'x'] },
    // 10,000 x 10,000: the inner list is in the rule (inside map, var reads the item).
    { map: [{ var: 'big' }, { map: [Array.from({ length: 10_000 }, (_, i) => i), { var: '' }] }] },
  ];
  const big = Array.from({ length: 10_000 }, (_, i) => i);
  const run = () => {
    for (const rule of costly) {
      assert.throws(() => own.evaluate(rule, { a, big }),
        (e) => e instanceof TagwiseError && ['budget_exceeded', 'evaluation_limit'].includes(e.code));
    }
  };
  run();
  run();  // the allocator's free lists settle in the second round
  const after = heap();
  for (let i = 0; i < 5; i++) run();
  console.log(`# wasm heap: ${(before / 2 ** 20).toFixed(1)} MiB before, ${(after / 2 ** 20).toFixed(1)} MiB after two `
    + `rounds of failures, ${(heap() / 2 ** 20).toFixed(1)} MiB after five more`);
  assert.ok(after - before <= 256 * 2 ** 20, `the heap grew by ${after - before} bytes`);
  assert.equal(heap(), after, 'the same failures again reuse the memory they took');
  assert.equal(own.evaluate({ '+': [1, 2] }, {}), 3);
});

test('ids with lone surrogates are refused at their path instead of colliding (issue 24)', async () => {
  const shop = await createTagwise({ onError: () => {} });
  const r = shop.loadCatalog({ tagwise: 1, tags: [{ id: 'vip\ud800', name: 'a', when: true }, { id: 'vip\udbff', name: 'b', when: true }] });
  assert.equal(r.ok, false);
  assert.deepEqual(r.errors.map((e) => [e.code, e.path]), [['invalid_utf8', '/tags/0/id'], ['invalid_utf8', '/tags/1/id']]);
  // A well-formed pair is an ordinary character.
  assert.equal(shop.loadCatalog({ tagwise: 1, tags: [{ id: 'vip😀', name: 'a', when: true }] }).ok, true);
});

test('validateRule warns about rules whose work grows faster than their data, before they run (issue 24)', () => {
  const nested = tw.validateRule({ some: [{ var: 'orders' }, { some: [{ var: 'items' }, { '==': [{ var: '' }, 1] }] }] });
  assert.deepEqual(nested.map((p) => [p.code, p.path, p.severity]), [['costly_rule', '/some/1/some', 'warning']]);
  assert.match(nested[0].message, /^The rule runs "some" once per item of another list/);
  const doubling = tw.validateRule({ reduce: [{ var: 'a' }, { merge: [{ var: 'accumulator' }, { var: 'accumulator' }] }, [1]] });
  assert.deepEqual(doubling.map((p) => [p.code, p.path]), [['costly_rule', '/reduce/1']]);
  assert.deepEqual(tw.validateRule({ some: [{ var: 'orders' }, { '>': [{ var: 'amount' }, 100] }] }), []);
  // A rule with errors gets its errors, not guesses about its cost.
  assert.deepEqual(tw.validateRule({ some: [{ var: 'orders' }, { some: [{ var: 'items' }, { 买过: [1] }] }] }).map((p) => p.code), ['unknown_operator']);
});
