// tw.experiments.run / onExposure / convert / results / report (issue 7):
// results identical to GrowthBook's run() for the same definition and user,
// sticky assignments and one exposure per user across reloads and tabs,
// targeting by tagwise rules (tags) and MongoDB-style conditions, consent,
// overrides, and clear errors for bad definitions.
process.env.NODE_ENV = 'production'; // GrowthBook's dev logging off

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GrowthBook } from '@growthbook/growthbook';
import { createTagwise, memoryStorage, TagwiseError } from 'tagwise';
import { prng } from '../../bench/prng.mjs';

const NOW = Date.UTC(2026, 10, 20, 8);
const CATALOG = {
  tagwise: 1,
  tags: [
    { id: 'buyer', name: '买家', purpose: 'personalization', when: { '>=': [{ events: [{ type: 'order_paid' }] }, 1] } },
    { id: 'vip', name: '会员', purpose: 'personalization', when: { '>=': [{ var: 'spend' }, 200] } },
  ],
};

async function open(extra = {}) {
  const clock = { now: NOW };
  const tw = await createTagwise({ clock: () => clock.now, catalog: CATALOG, flushDelay: 5, onError: () => {}, ...extra });
  return { tw, clock };
}

const GB_FIELDS = ['inExperiment', 'variationId', 'value', 'hashUsed', 'key', 'hashAttribute', 'hashValue', 'stickyBucketUsed', 'bucket'];
const pick = (r) => Object.fromEntries(GB_FIELDS.filter((k) => r[k] !== undefined).map((k) => [k, r[k]]));

function randomDefinition(rand, i) {
  const n = 2 + Math.floor(rand() * 4);
  const def = { key: `exp-${i}-${Math.floor(rand() * 1e6)}`, variations: Array.from({ length: n }, (_, v) => ({ v, label: `变体${v}` })) };
  if (rand() < 0.6) {
    const raw = Array.from({ length: n }, () => 0.05 + rand());
    const sum = raw.reduce((a, b) => a + b, 0);
    const w = raw.map((x) => Math.round((x / sum) * 1000) / 1000);
    w[n - 1] = Math.round((1 - w.slice(0, -1).reduce((a, b) => a + b, 0)) * 1000) / 1000;
    if (w[n - 1] >= 0) def.weights = w;
  }
  if (rand() < 0.5) def.coverage = Math.round(rand() * 100) / 100;
  if (rand() < 0.5) def.hashVersion = rand() < 0.5 ? 1 : 2;
  if (rand() < 0.3) def.seed = rand() < 0.5 ? `种子${i}` : `seed-${i}`;
  if (rand() < 0.3) {
    const start = Math.round(rand() * 50) / 100;
    def.namespace = [`ns${i % 3}`, start, Math.min(1, start + Math.round(rand() * 60) / 100)];
  }
  if (rand() < 0.2) def.hashAttribute = 'deviceId';
  if (rand() < 0.3) def.condition = { country: { $in: ['CN', 'US', '中国'] } };
  if (rand() < 0.2) def.meta = def.variations.map((_, v) => ({ key: `k${v}`, name: `方案${v}` }));
  return def;
}

function randomUser(rand, i) {
  const id = rand() < 0.5 ? `user-${i}-${Math.floor(rand() * 1e9)}` : `用户${i}号🎮${Math.floor(rand() * 1e6)}`;
  const attrs = { id, deviceId: rand() < 0.8 ? `dev-${Math.floor(rand() * 1e9)}` : '', country: ['CN', 'US', 'DE', '中国'][Math.floor(rand() * 4)] };
  return attrs;
}

test('run() gives GrowthBook\'s result for 3,000 generated definitions and users (ASCII and Chinese ids)', async () => {
  const { tw } = await open({ storage: null });
  const rand = prng(20261123);
  let inside = 0;
  for (let i = 0; i < 3000; i++) {
    const def = randomDefinition(rand, i);
    const attributes = randomUser(rand, i);
    const gb = new GrowthBook({ attributes });
    const want = gb.run(structuredClone(def));
    const got = tw.experiments.run(def, { attributes });
    assert.deepEqual(pick(got), pick(want), `definition ${JSON.stringify(def)} user ${JSON.stringify(attributes)}`);
    if (got.inExperiment) inside++;
    gb.destroy();
  }
  assert.ok(inside > 1000 && inside < 2900, `a real mix of in and out: ${inside}`);
});

test('the same user lands in the same variation after a reload and after the weights change (sticky), exposed once', async () => {
  const storage = memoryStorage();
  const exposures = [];
  const a = await open({ storage, experiments: { onExposure: (def, r) => exposures.push([def.key, r.variationId]) } });
  a.tw.setProfile({ user_id: 'u-42', attributes: {} });
  const def = { key: 'checkout-button', variations: ['green', 'orange'], weights: [0.5, 0.5] };
  const first = a.tw.experiments.run(def);
  assert.equal(first.inExperiment, true);
  assert.equal(first.hashValue, 'u-42', 'the profile user id is the default hash attribute');
  assert.equal(a.tw.experiments.run(def).variationId, first.variationId);
  assert.deepEqual(exposures, [['checkout-button', first.variationId]], 'exposure reported once');
  await a.tw.flush();

  const b = await open({ storage, experiments: { onExposure: (def2, r) => exposures.push(['reload', r.variationId]) } });
  const skewed = { ...def, weights: first.variationId === 0 ? [0.01, 0.99] : [0.99, 0.01] };
  const again = b.tw.experiments.run(skewed);
  assert.equal(again.variationId, first.variationId, 'sticky across reload and new weights');
  assert.equal(again.stickyBucketUsed, true);
  assert.equal(exposures.length, 1, 'no second exposure after the reload');
  // A new bucket version re-randomises and is a new exposure.
  b.tw.experiments.run({ ...skewed, bucketVersion: 1 });
  assert.equal(exposures.length, 2);
});

test('two tabs: the exposure is reported once and both tabs keep one assignment', async () => {
  const storage = memoryStorage();
  let exposures = 0;
  const tab = { storage, experiments: { onExposure: () => { exposures++; } } };
  const a = await open(tab);
  const def = { key: 'banner', variations: [0, 1, 2] };
  const user = { attributes: { id: 'tab-user' } };
  const ra = a.tw.experiments.run(def, user);
  assert.equal(ra.inExperiment, true);
  await a.tw.flush();
  const b = await open(tab); // a second tab opened after the first wrote
  const rb = b.tw.experiments.run(def, user);
  assert.equal(rb.variationId, ra.variationId);
  assert.equal(rb.stickyBucketUsed, true);
  assert.equal(exposures, 1);
  b.tw.experiments.convert('banner');
  await Promise.all([a.tw.flush(), b.tw.flush()]);
  const c = await open(tab);
  assert.equal(c.tw.experiments.results().assignments.length, 1, 'one assignment, not one per tab');
  assert.equal(c.tw.experiments.results().conversions.length, 1);
});

test('targeting by a tagwise rule on tags and events, and by a MongoDB-style condition', async () => {
  const { tw } = await open({ storage: null });
  tw.setProfile({ user_id: 'u1', attributes: { spend: 50, country: 'CN' } });
  const def = { key: 'vip-offer-test', variations: ['a', 'b'], rule: { and: [{ tag: ['vip'] }, { tag: ['buyer'] }] } };
  assert.equal(tw.experiments.run(def).reason, 'rule');
  tw.setProfile({ user_id: 'u1', attributes: { spend: 500, country: 'CN' } });
  assert.equal(tw.experiments.run(def).reason, 'rule', 'vip but not a buyer yet');
  tw.track({ id: 'o1', type: 'order_paid', ts: NOW - 1000 });
  assert.equal(tw.experiments.run(def).inExperiment, true, 'entered after the purchase');

  const byCondition = { key: 'cn-only', variations: ['a', 'b'], condition: { country: 'CN', tags: { $elemMatch: { $eq: 'vip' } } } };
  assert.equal(tw.experiments.run(byCondition).inExperiment, true, 'conditions see the held tags as "tags"');
  // (A user already in keeps their sticky variation, as in GrowthBook; a new experiment checks again.)
  assert.equal(tw.experiments.run({ ...byCondition, key: 'cn-only-2' }, { attributes: { country: 'US' } }).reason, 'condition');
  assert.throws(() => tw.experiments.run({ key: 'x', variations: [1, 2], rule: { tag: ['nope'] } }),
    (e) => e instanceof TagwiseError && e.errors[0].code === 'unknown_tag' && e.errors[0].path.startsWith('/rule'));
});

test('overrides: forced variations, the URL, QA mode; consent off keeps the user out and unexposed', async () => {
  let exposures = 0;
  const { tw } = await open({ storage: null, experiments: { forcedVariations: { forced: 1 }, onExposure: () => { exposures++; } } });
  tw.setProfile({ user_id: 'u7', attributes: {} });
  const forced = tw.experiments.run({ key: 'forced', variations: ['a', 'b'] });
  assert.deepEqual([forced.variationId, forced.reason, forced.hashUsed], [1, 'forced', false]);
  const viaUrl = tw.experiments.run({ key: 'hero', variations: ['a', 'b', 'c'] }, { url: 'https://shop.example/?hero=2' });
  assert.deepEqual([viaUrl.variationId, viaUrl.reason], [2, 'querystring']);
  assert.equal(tw.experiments.run({ key: 'qa', variations: ['a', 'b'] }, { qaMode: true }).reason, 'qa_mode');
  assert.equal(exposures, 0, 'forced and QA users are not exposures');

  tw.setPurposes(['necessary', 'personalization']);
  const r = tw.experiments.run({ key: 'consented', variations: ['control', 'new'] });
  assert.deepEqual([r.inExperiment, r.value, r.reason], [false, 'control', 'consent']);
  assert.equal(exposures, 0);
  assert.equal(tw.experiments.results().assignments.length, 0, 'nothing kept without analytics consent');
});

test('withdrawing analytics consent erases assignments and conversions', async () => {
  const { tw } = await open({ storage: memoryStorage() });
  tw.setProfile({ user_id: 'u8', attributes: {} });
  tw.experiments.run({ key: 'e1', variations: [0, 1] });
  assert.equal(tw.experiments.convert('e1').recorded, true);
  assert.equal(tw.experiments.results().conversions.length, 1);
  await tw.consent.set({ analytics: false });
  assert.deepEqual(tw.experiments.results(), { assignments: [], conversions: [] });
  assert.equal(tw.experiments.convert('e1').reason, 'not_in_experiment');
});

test('bad definitions are TagwiseErrors naming the field; wrong types are TypeErrors', async () => {
  const { tw } = await open({ storage: null });
  const cases = [
    [{ key: 'k', variations: ['a', 'b'], weights: [0.7, 0.7] }, '/weights', /add up to 1\.4/],
    [{ key: 'k', variations: ['a', 'b'], coverage: 1.2 }, '/coverage', /from 0 to 1/],
    [{ key: 'k', variations: [] }, '/variations', /at least 2/],
    [{ key: 'k', variations: ['a', 'b'], filters: [] }, '/filters', /not supported/],
  ];
  for (const [def, path, message] of cases) {
    assert.throws(() => tw.experiments.run(def), (e) => {
      assert.ok(e instanceof TagwiseError, String(e));
      assert.ok(e.errors.some((x) => x.path.startsWith(path) && message.test(x.message)), JSON.stringify(e.errors));
      return true;
    });
  }
  assert.throws(() => tw.experiments.run(null), TypeError);
  assert.throws(() => tw.experiments.run({ key: 'k', variations: [1, 2], include: () => true }), /function/);
  assert.throws(() => tw.experiments.run({ key: 'k', variations: [1, 2] }, { forcedVariations: { k: 'x' } }),
    (e) => e instanceof TagwiseError && e.errors[0].path === '/forcedVariations/k');
});

test('a malformed condition is evaluated as GrowthBook evaluates it (not matching where GrowthBook throws) and reported once', async () => {
  const heard = [];
  const { tw } = await open({ storage: null, onError: (d) => heard.push(d) });
  const conditions = [
    [{ $and: 'x' }, '/condition/$and'],
    [{ name: { $regex: '(a' } }, '/condition/name/$regex'],
    [{ country: { $in: 'CN' } }, '/condition/country/$in'],
    [{ country: { $nin: 'CN' } }, '/condition/country/$nin'],
    [{ $or: 5 }, '/condition/$or'],
    [{ $or: null }, '/condition/$or'],
    [{ $not: { country: { $gtt: 1 } } }, '/condition/$not/country/$gtt'],
    [{ $foo: 'x', country: 'CN' }, '/condition/$foo'],
    [{ country: { $type: 'text' } }, '/condition/country/$type'],
    [{ tags: { $elemMatch: null } }, '/condition/tags/$elemMatch'],
    [{ $nor: [{ country: { $in: 'US' } }] }, '/condition/$nor/0/country/$in'],
    [{ $savedGroup: { id: 'g', extra: true } }, '/condition/$savedGroup/extra'],
    [[{ 0: 'CN' }], '/condition'],
  ];
  const rand = prng(31);
  let inside = 0;
  let thrown = 0;
  for (const [condition, path] of conditions) {
    const before = heard.length;
    for (let i = 0; i < 40; i++) {
      const attributes = { ...randomUser(rand, i), tags: ['vip'], 0: 'x', $foo: rand() < 0.5 ? 'x' : 'y' };
      const def = { key: `malformed-${path}`, variations: ['a', 'b'], condition };
      const gb = new GrowthBook({ attributes, savedGroups: { g: { type: 'list', values: ['CN'], attributeKey: 'country' } } });
      let want;
      try {
        want = pick(gb.run(structuredClone(def)));
      } catch (e) {
        assert.ok(e instanceof TypeError, String(e));
        thrown++;
        want = null; // GrowthBook throws: tagwise leaves the user out
      } finally {
        gb.destroy();
      }
      const got = tw.experiments.run(def, { attributes, savedGroups: { g: { type: 'list', values: ['CN'], attributeKey: 'country' } } });
      const label = `${JSON.stringify(condition)} ${JSON.stringify(attributes)}`;
      if (want === null) {
        assert.equal(got.inExperiment, false, label);
        assert.equal(got.reason, 'condition', label);
      } else {
        assert.deepEqual(pick(got), want, label);
      }
      if (got.inExperiment) inside++;
    }
    assert.equal(heard.length, before + 1, `reported once: ${JSON.stringify(condition)}`);
    const d = heard.at(-1);
    assert.equal(d.code, 'malformed_condition');
    assert.equal(d.experiment, `malformed-${path}`);
    assert.ok(d.problems.some((p) => p.path === path), `${path}: ${JSON.stringify(d.problems)}`);
  }
  assert.ok(inside > 20 && thrown >= 80, `${inside} in, ${thrown} GrowthBook TypeErrors`);
});

test('conversions per variation are exported and compared by report()', async () => {
  const results = [];
  const rand = prng(7);
  for (let i = 0; i < 60; i++) {
    const { tw } = await open({ storage: null });
    tw.setProfile({ user_id: `buyer-${i}`, attributes: {} });
    const r = tw.experiments.run({ key: 'price-test', variations: ['¥99', '¥79'] });
    // The cheaper price converts more often in this simulation.
    if (rand() < (r.variationId === 1 ? 0.6 : 0.2)) tw.experiments.convert('price-test', { metric: 'order_paid', value: 79 });
    results.push(tw.experiments.results());
  }
  const report = (await open({ storage: null })).tw.experiments.report({ experiment: 'price-test', results, metric: 'order_paid' });
  assert.equal(report.variations.length, 2);
  assert.equal(report.variations[0].users + report.variations[1].users, 60);
  for (const v of report.variations) {
    assert.ok(v.ciLow <= v.rate && v.rate <= v.ciHigh);
    assert.equal(v.rate, v.users === 0 ? 0 : v.conversions / v.users);
  }
  assert.ok(report.variations[1].rate > report.variations[0].rate);
  assert.equal(report.minConversions, 30);
  assert.equal(report.variations[0].enoughData, null);
  // The minimum sample passes through from results(): below it, never a winner.
  const { tw } = await open({ storage: null });
  const strict = tw.experiments.report({ experiment: 'price-test', results, metric: 'order_paid', minConversions: 1000 });
  assert.equal(strict.variations[1].enoughData, false);
  assert.equal(strict.winner, '');
  assert.equal(strict.variations[1].chanceToBeatControl, report.variations[1].chanceToBeatControl);
  const lax = tw.experiments.report({ experiment: 'price-test', results, metric: 'order_paid', minConversions: 0 });
  assert.equal(lax.variations[1].enoughData, true);
  assert.throws(() => tw.experiments.report({ variations: [{ id: 'a', users: 10, conversions: 1 }, { id: 'b', users: 5, conversions: 1 }], minConversions: 2.5 }),
    (e) => e instanceof TagwiseError && e.errors[0].path === '/minConversions');
  assert.throws(() => tw.experiments.report({ variations: [{ id: 'a', users: 10, conversions: 11 }, { id: 'b', users: 5, conversions: 1 }] }),
    (e) => e instanceof TagwiseError && e.errors[0].path === '/variations/0/conversions');
});

test('exportData lists experiments, conversions and offers; forget() erases them', async () => {
  const storage = memoryStorage();
  const { tw } = await open({ storage });
  tw.setProfile({ user_id: 'u9', attributes: {} });
  tw.experiments.run({ key: 'exp', variations: [0, 1] });
  tw.experiments.convert('exp');
  tw.offers.load([{ id: 'coupon', name: '满减券' }]);
  tw.offers.record('coupon', 'shown');
  const data = await tw.exportData();
  assert.equal(data.experiments.length, 1);
  assert.equal(data.experiments[0].experiment, 'exp');
  assert.equal(data.conversions.length, 1);
  assert.equal(data.offers.length, 1);
  assert.match(storage.get('tagwise'), /"ledger"/);
  await tw.forget();
  const after = await tw.exportData();
  assert.deepEqual([after.experiments.length, after.conversions.length, after.offers.length], [0, 0, 0]);
  assert.doesNotMatch(storage.get('tagwise'), /"ledger"/);
});
