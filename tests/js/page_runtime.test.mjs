// The page runtime (js/dist/tagwise_page.wasm, issue 18): what a storefront
// fetches to hold a visitor's tags, and the full module it moves into when a
// feature is first used (tw.ready). Node's entry always loads the full module,
// so these tests build createTagwise the way the browser entry does
// (js/index.js), with the bytes read from disk.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import createTagwisePageModule from '../../js/dist/tagwise_page.mjs';
import createTagwiseModule from '../../js/dist/tagwise_features.mjs';
import { FEATURES, makeCreateTagwise } from '../../js/tagwise.js';
import { TagwiseError } from '../../js/errors.js';
import { pageModuleApi } from '../../js/page_abi.js';

const PAGE = await readFile(new URL('../../js/dist/tagwise_page.wasm', import.meta.url));
const FULL = await readFile(new URL('../../js/dist/tagwise_features.wasm', import.meta.url));
const NOW = Date.UTC(2026, 10, 20);
const DAY = 86_400_000;
const ALL = ['necessary', 'security', 'personalization', 'marketing', 'analytics'];

function pageCreate() {
  const loads = { page: 0, full: 0 };
  const create = makeCreateTagwise(
    () => { loads.page++; return createTagwisePageModule({ wasmBinary: PAGE }).then(pageModuleApi); },
    () => 'default',
    {
      defaultStorage: 'memory', defaultPurposes: ALL, defaultSync: false,
      loadFull: () => { loads.full++; return createTagwiseModule({ wasmBinary: FULL }); },
    },
  );
  return { create, loads };
}

const CATALOG = {
  tagwise: 1,
  groups: [{ id: 'stage', name: '阶段', exclusive: true }],
  tags: [
    { id: 'browser', name: '浏览用户', dimension: 'behavior', when: { '>=': [{ events: [{ type: 'view', within: '7d' }] }, 1] } },
    { id: 'buyer', name: '买家', dimension: 'behavior', when: { '>=': [{ events: [{ type: 'order_paid' }] }, 1] } },
    { id: 'spend', name: '累计消费', dimension: 'value', when: { tag: ['buyer'] }, value: { events: [{ type: 'order_paid', agg: 'sum', field: 'amount' }] } },
    { id: 'prospect', name: '潜在客户', dimension: 'lifecycle', group: 'stage', priority: 1, when: { tag: ['browser'] } },
    { id: 'customer', name: '客户', dimension: 'lifecycle', group: 'stage', priority: 2, when: { tag: ['buyer'] } },
    { id: 'vip', name: 'VIP', dimension: 'value', when: { '==': [{ var: 'level' }, 'gold'] } },
  ],
};

const PROFILE = {
  user_id: 'u-1',
  attributes: { level: 'gold', region: '华东' },
  events: [
    { id: 'e1', type: 'view', ts: NOW - DAY, props: { item: 'A1' } },
    { id: 'e2', type: 'order_paid', ts: NOW - 2 * DAY, props: { amount: 120, item: 'A1' } },
  ],
};

async function visitor(create) {
  const tw = await create({ clock: () => NOW, purposes: ALL });
  assert.equal(tw.loadCatalog(CATALOG).ok, true);
  assert.equal(tw.setProfile(PROFILE).ok, true);
  return tw;
}

const held = (tw) => tw.tags().map((t) => [t.id, t.value]);

test('the page runtime holds the tag path: catalog, profile, track, tags, rule checks', async () => {
  const { create, loads } = pageCreate();
  const tw = await visitor(create);
  assert.deepEqual(loads, { page: 1, full: 0 });
  assert.deepEqual(held(tw), [['browser', true], ['buyer', true], ['spend', 120], ['customer', true], ['vip', true]]);
  const r = tw.track({ id: 'e3', type: 'order_paid', ts: NOW, props: { amount: 30 } });
  assert.deepEqual(r.changes.changed, ['spend']);
  assert.deepEqual(tw.validateRule({ '>=': [1] }).map((p) => p.code), ['wrong_argument_count']);
  for (const f of FEATURES) assert.equal(tw.has(f), false, f);
});

test('a feature used before it is loaded throws not_loaded naming tw.ready(feature)', async () => {
  const { create } = pageCreate();
  const tw = await visitor(create);
  const calls = {
    conditions: () => tw.evaluateCondition({ level: 'gold' }, { level: 'gold' }),
    experiments: () => tw.experiments.run({ key: 'x', variations: [0, 1] }),
    offers: () => tw.offers.load([]),
    recommend: () => tw.recommend(),
    lint: () => tw.lintCatalog(CATALOG),
    text: () => tw.parseRuleText('level == "gold"'),
    rules: () => tw.compileRule({ '>=': [{ var: 'n' }, 5] }),
    explain: () => tw.explain('vip'),
    batch: () => tw.tagProfiles([PROFILE]),
  };
  for (const [feature, call] of Object.entries(calls)) {
    assert.throws(call, (e) => e instanceof TagwiseError && e.code === 'not_loaded'
      && e.message.includes(`tw.ready('${feature}')`), feature);
  }
  assert.throws(() => tw.experiments.hash('s', 'v', 1), (e) => e.code === 'not_loaded');
  assert.throws(() => tw.formatRule({ var: 'a' }), (e) => e.code === 'not_loaded');
  assert.throws(() => tw.compileRules([{ var: 'a' }]), (e) => e.code === 'not_loaded' && e.message.includes("tw.ready('rules')"));
  assert.throws(() => tw.evaluate({ cat: ['标', '签'] }), (e) => e.code === 'not_loaded' && e.message.includes("tw.ready('rules')"));
  assert.equal(tw.hints, null);
  // The stored records are read by the full module (issue 24 moved them off the page runtime's bytes).
  assert.throws(() => tw.experiments.results(), (e) => e.code === 'not_loaded' && e.message.includes("tw.ready('experiments')"));
  assert.throws(() => tw.offers.history(), (e) => e.code === 'not_loaded' && e.message.includes("tw.ready('offers')"));
});

test('every call that needs the features\' JavaScript throws not_loaded before ready() and works after it', async () => {
  const { create } = pageCreate();
  const tw = await visitor(create);
  const exposures = [];
  // What works on the page runtime: the faces exist, listeners register.
  const { experiments, offers } = tw;
  const unsubscribe = experiments.onExposure((definition, result) => exposures.push([definition.key, result.variationId]));
  assert.equal(typeof unsubscribe, 'function');
  assert.equal(tw.hints, null);
  tw.clearCache();

  const OFFER = { id: 'gold10', name: '金卡 9 折', audience: { tag: ['vip'] } };
  const calls = {
    'experiments.run': ['experiments', () => experiments.run({ key: 'hero', variations: ['a', 'b'] }), (r) => r.inExperiment === true],
    'experiments.convert': ['experiments', () => experiments.convert('hero'), (r) => r.recorded === true],
    'experiments.report': ['experiments', () => experiments.report({ variations: [{ id: 'a', users: 10, conversions: 1 }, { id: 'b', users: 10, conversions: 2 }] }), (r) => r.variations.length === 2],
    'experiments.hash': ['experiments', () => experiments.hash('s', 'v', 2), (r) => r >= 0 && r < 1],
    'experiments.bucketRanges': ['experiments', () => experiments.bucketRanges(2), (r) => r.length === 2],
    'experiments.chooseVariation': ['experiments', () => experiments.chooseVariation(0.7, [[0, 0.5], [0.5, 1]]), (r) => r === 1],
    'experiments.inNamespace': ['experiments', () => experiments.inNamespace('u-1', ['ns', 0, 1]), (r) => r === true],
    'offers.load': ['offers', () => offers.load([OFFER]), (r) => Array.isArray(r.warnings)],
    'offers.eligible': ['offers', () => offers.eligible(), (r) => r.length === 1 && r[0].id === 'gold10'],
    'offers.record': ['offers', () => offers.record('gold10', 'shown'), (r) => r.recorded === true],
    'tw.evaluateCondition': ['conditions', () => tw.evaluateCondition({ level: 'gold' }, { level: 'gold' }), (r) => r === true],
    'tw.validateCondition': ['conditions', () => tw.validateCondition({ level: { $bad: 1 } }), (r) => r.length > 0],
    'tw.compileRule': ['rules', () => tw.compileRule({ '+': [{ var: 'a' }, 1] }).evaluate({ a: 1 }), (r) => r === 2],
    'tw.compileRules': ['rules', () => tw.compileRules([{ var: 'a' }, { '!': { var: 'a' } }]).evaluateMany([{ a: 1 }, { a: 0 }]), (r) => JSON.stringify(r) === '[[1,false],[0,true]]'],
    'tw.evaluate': ['rules', () => tw.evaluate({ cat: ['标', '签'] }), (r) => r === '标签'],
    'tw.lintCatalog': ['lint', () => tw.lintCatalog(CATALOG, { sample: [PROFILE] }), (r) => r.sampleSize === 1 && Array.isArray(r.findings)],
    'tw.recommend': ['recommend', () => tw.recommend(), null],
    'tw.loadHints': ['recommend', () => tw.loadHints(new Uint8Array(8)), null],
  };
  for (const [name, [feature, call]] of Object.entries(calls)) {
    assert.throws(call, (e) => e instanceof TagwiseError && e.code === 'not_loaded' && e.message.includes(`tw.ready('${feature}')`), name);
  }
  await tw.ready('experiments');
  for (const [name, [, call, check]] of Object.entries(calls)) {
    if (check === null) continue; // recommend needs hints (tests/js/recommend.test.mjs)
    assert.ok(check(call()), name);
  }
  assert.throws(() => tw.loadHints(new Uint8Array(8)), (e) => e instanceof TagwiseError && e.code === 'corrupt');
  assert.deepEqual(exposures, [['hero', experiments.results().assignments[0].variation]], 'a listener added before ready() hears the exposure');
  assert.equal(experiments.results().assignments.length, 1);
  assert.equal(experiments.results().conversions.length, 1);
  assert.equal(offers.history().length, 1);
  assert.equal(tw.experiments, experiments, 'the same objects before and after ready()');
  assert.equal(tw.offers, offers);
});

test('tw.ready() moves the session into the full module: same tags and profile; ad-hoc rules work', async () => {
  const { create, loads } = pageCreate();
  const tw = await visitor(create);
  tw.track({ id: 'e3', type: 'order_paid', ts: NOW, props: { amount: 30 } });
  const before = { tags: held(tw), decisions: tw.tagDecisions(), profile: tw.getProfile(), purposes: tw.purposes };
  const changes = [];
  tw.onTagsChanged((c) => changes.push(c));

  const [a, b] = await Promise.all([tw.ready('experiments'), tw.ready('conditions', 'offers')]);
  assert.equal(a, tw);
  assert.equal(b, tw);
  assert.deepEqual(loads, { page: 1, full: 1 }, 'the full module is fetched once');
  for (const f of FEATURES) assert.equal(tw.has(f), true, f);
  assert.deepEqual({ tags: held(tw), decisions: tw.tagDecisions(), profile: tw.getProfile(), purposes: tw.purposes }, before);
  assert.deepEqual(changes, [], 'moving changes nothing the visitor holds');
  assert.equal(tw.compileRule({ '+': [{ var: 'a' }, 1] }).evaluate({ a: 1 }), 2);
  assert.equal(tw.evaluate({ cat: ['标', '签'] }), '标签');
  assert.equal(tw.explain('vip').holds, true);

  // The features now run on the moved session.
  assert.equal(tw.evaluateCondition({ level: 'gold' }, { level: 'gold' }), true);
  const run = tw.experiments.run({ key: 'hero', variations: ['a', 'b'], rule: { tag: ['vip'] } });
  assert.equal(run.inExperiment, true);
  assert.equal(tw.experiments.results().assignments.length, 1);
  assert.equal(tw.parseRuleText('level == "gold"')['=='][1], 'gold');
  // And the tag path goes on in the full module.
  const r = tw.track({ id: 'e4', type: 'order_paid', ts: NOW, props: { amount: 50 } });
  assert.deepEqual(r.changes.changed, ['spend']);
  assert.equal(tw.tags().find((t) => t.id === 'spend').value, 200);
  await tw.ready('lint');
  assert.deepEqual(loads, { page: 1, full: 1 });
  assert.deepEqual(tw.tagProfiles([PROFILE])[0].tags.vip, true);
});

test('createTagwise({ features }) fetches the full module only; a later instance reuses it', async () => {
  const { create, loads } = pageCreate();
  const tw = await create({ clock: () => NOW, features: ['recommend'] });
  assert.deepEqual(loads, { page: 0, full: 1 });
  assert.equal(tw.has('recommend'), true);
  const plain = await create({ clock: () => NOW });
  assert.deepEqual(loads, { page: 1, full: 1 });
  await plain.ready('offers');
  assert.deepEqual(loads, { page: 1, full: 1 }, 'the full module is shared by every instance');
});

test('bad feature names are TypeErrors that list the features', async () => {
  const { create } = pageCreate();
  await assert.rejects(create({ features: ['experiment'] }), (e) => e instanceof TypeError && e.message.includes('experiments, offers'));
  const tw = await create({});
  assert.throws(() => tw.ready('nope'), TypeError);
  assert.throws(() => tw.has('nope'), TypeError);
});

test('in Node everything is loaded from the start: ready() resolves at once', async () => {
  const { createTagwise } = await import('tagwise');
  const tw = await createTagwise();
  assert.equal(tw.has('experiments'), true);
  assert.equal(await tw.ready(...FEATURES), tw);
});

test('instances sharing a module compile a catalog text once and report the same load (page and Node modules)', async () => {
  const { create } = pageCreate();
  const { createTagwise } = await import('tagwise');
  const warned = { ...CATALOG, tags: [...CATALOG.tags, { id: 'x', name: 'x', colour: 'red', when: true }] };
  const other = { tagwise: 1, tags: [{ id: 'everyone', name: '所有人', when: true }] };
  for (const make of [() => create({ clock: () => NOW }), () => createTagwise({ clock: () => NOW, storage: 'memory', purposes: ALL })]) {
    const events = [{ id: 'o1', type: 'order_paid', ts: NOW - DAY, props: { amount: 30 } }];
    const results = [];
    // first, the same text again (shared), another text, then the first once more
    for (const catalog of [warned, warned, other, warned]) {
      const tw = await make();
      const r = tw.loadCatalog(catalog);
      assert.equal(tw.setProfile({ user_id: 'u1', events }).ok, true);
      results.push({ r, fingerprint: tw.catalogFingerprint, tags: tw.tags().map((t) => [t.id, t.value]) });
      tw.dispose();
    }
    const [a, b, c, d] = results;
    assert.equal(a.r.ok, true);
    assert.equal(a.r.warnings.length, 1);
    assert.match(a.r.warnings[0].path, /\/tags\/\d+\/colour/);
    assert.deepEqual(b, a);
    assert.deepEqual(d, a);
    assert.deepEqual(c.tags, [['everyone', true]]);
    assert.notEqual(c.fingerprint, a.fingerprint);
    assert.deepEqual(a.tags.find(([id]) => id === 'spend'), ['spend', 30]);
  }
});
