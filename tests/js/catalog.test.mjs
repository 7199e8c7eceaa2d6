// The tag catalog API (issue 4): loadCatalog, setProfile, tags, tagDecisions,
// explain, lintCatalog, tagProfiles and consent purposes, on hand-computed
// profiles. Imported by package name, as users do.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createTagwise, TagwiseError } from 'tagwise';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 20);

const sum = (where) => ({ events: [{ type: '下单', agg: 'sum', field: 'amount', ...(where ? { where } : {}) }] });

/** A small shop catalog over all the features: parents, an exclusive group, tag_value, server tags, purposes. */
const CATALOG = {
  tagwise: 1,
  groups: [{ id: 'lifecycle', name: '生命周期', exclusive: true }],
  tags: [
    { id: 'buyer', name: '已购客户', dimension: 'basic', when: { events: [{ type: '下单', agg: 'exists' }] } },
    { id: 'high_value', name: '高价值', dimension: 'value', when: { '>=': [sum(), 100] } },
    {
      id: 'high_value_game', name: '高价值-游戏', dimension: 'value', parent: 'high_value',
      when: { '>=': [sum({ '==': [{ var: '品类' }, '游戏'] }), 50] },
    },
    { id: 'tier', name: '消费等级', dimension: 'value', when: { tag: ['buyer'] }, value: { bucket: [sum(), [50, 100, 200]] } },
    { id: 'gold', name: '金牌会员', dimension: 'value', when: { '>=': [{ tag_value: ['tier'] }, 2] } },
    {
      id: 'new_user', name: '新用户', dimension: 'lifecycle', group: 'lifecycle', priority: 1,
      when: { and: [{ tag: ['buyer'] }, { '<': [{ days_since: [{ events: [{ type: '下单', agg: 'first_ts' }] }] }, 30] }] },
    },
    {
      id: 'active', name: '活跃用户', dimension: 'lifecycle', group: 'lifecycle', priority: 2,
      when: { '>=': [{ events: [{ type: '下单', within: '30d' }] }, 2] },
    },
    {
      id: 'lost', name: '流失用户', dimension: 'lifecycle', group: 'lifecycle',
      when: { and: [{ tag: ['buyer'] }, { '!': { events: [{ type: '下单', within: '90d', agg: 'exists' }] } }] },
    },
    { id: 'churn_risk', name: '流失风险', dimension: 'risk', source: 'server', ttl: '7d', purpose: 'analytics' },
    { id: 'shanghai', name: '上海用户', dimension: 'basic', when: { '==': [{ var: '城市' }, '上海'] } },
    { id: 'coupon_lover', name: '优惠券偏好', dimension: 'preference', purpose: 'marketing', when: { '>=': [{ events: [{ type: '领券' }] }, 1] } },
  ],
};

const order = (id, daysAgo, amount, 品类) => ({ id, type: '下单', ts: NOW - daysAgo * DAY, props: { amount, 品类 } });

/** Orders 40, 10 and 2 days ago: 110 in total, 80 of it games. */
const LOYAL = {
  user_id: 'u-loyal',
  attributes: { 城市: '上海' },
  events: [order('a1', 40, 60, '游戏'), order('a2', 10, 30, '图书'), order('a3', 2, 20, '游戏')],
};
/** Two small orders this week: both new_user and active hold by rule. */
const FRESH = { user_id: 'u-fresh', events: [order('b1', 5, 10, '图书'), order('b2', 1, 10, '图书')] };
/** One 60 game order: the child high_value_game holds, its parent high_value only by inheritance. */
const GAMER = { user_id: 'u-gamer', events: [order('c1', 3, 60, '游戏')] };

async function runtime(options = {}) {
  const tw = await createTagwise({ clock: () => NOW, ...options });
  const loaded = tw.loadCatalog(CATALOG);
  assert.deepEqual(loaded, { ok: true, errors: [], warnings: [] });
  return tw;
}

const ids = (tags) => tags.map((t) => t.id);
const byId = (list) => Object.fromEntries(list.map((t) => [t.id, t]));

test('tags() lists the held tags in catalog order with name, dimension, value, purpose and source', async () => {
  const tw = await runtime();
  assert.deepEqual(tw.tags(), [], 'an empty profile holds nothing');
  assert.equal(tw.setProfile(LOYAL).ok, true);
  const tags = tw.tags();
  assert.deepEqual(ids(tags), ['buyer', 'high_value', 'high_value_game', 'tier', 'gold', 'active', 'shanghai']);
  assert.deepEqual(tags[0], { id: 'buyer', name: '已购客户', dimension: 'basic', purpose: 'personalization', value: true, source: 'rule' });
  const t = byId(tags);
  assert.equal(t.tier.value, 2, 'bucket(110, [50, 100, 200]) is 2');
  assert.equal(t.tier.name, '消费等级');
  assert.equal(t.gold.value, true, 'gold reads tier through tag_value');
  assert.equal(t.active.dimension, 'lifecycle');
});

test('an exclusive group keeps only its highest-priority member and reports the others as suppressed', async () => {
  const tw = await runtime();
  tw.setProfile(FRESH);
  const held = ids(tw.tags());
  assert.ok(held.includes('active'));
  assert.ok(!held.includes('new_user'), 'never both 新用户 and 活跃用户');
  const d = byId(tw.tagDecisions());
  assert.equal(d.new_user.holds, false);
  assert.equal(d.new_user.source, 'exclusiveLoser');
  assert.equal(d.new_user.suppressedBy, 'active');
  assert.equal(d.new_user.value, null);
  assert.equal(d.active.holds, true);
  assert.equal(d.lost.source, 'rule');
  assert.equal(d.lost.suppressedBy, undefined, 'a member whose rule did not hold is not suppressed');
  assert.deepEqual(ids(tw.tagDecisions()), CATALOG.tags.map((t) => t.id), 'every catalog tag, in catalog order');
});

test('holding a child tag implies holding its parent, with source parentTag', async () => {
  const tw = await runtime();
  tw.setProfile(GAMER);
  const t = byId(tw.tags());
  assert.equal(t.high_value_game.source, 'rule');
  assert.equal(t.high_value.source, 'parentTag', '60 < 100: only the child makes it hold');
  assert.equal(t.tier.value, 1);
  assert.equal(t.gold, undefined, 'tag_value of tier is 1 < 2');
  assert.equal(t.new_user.source, 'rule', 'first order 3 days ago, and active does not hold');
});

test('server tags hold with their snapshot value until expires_at or as_of + ttl on the injected clock', async () => {
  let now = NOW;
  const tw = await runtime({ clock: () => now });
  const r = tw.setProfile({ user_id: 'u-s', as_of: NOW - 2 * DAY, tags: { churn_risk: { value: 0.82 } } });
  assert.deepEqual(r, { ok: true, errors: [], warnings: [] });
  const churn = byId(tw.tags()).churn_risk;
  assert.deepEqual(churn, {
    id: 'churn_risk', name: '流失风险', dimension: 'risk', purpose: 'analytics', value: 0.82, source: 'server', expiresAt: NOW + 5 * DAY,
  });
  now = NOW + 5 * DAY;
  assert.equal(byId(tw.tags()).churn_risk?.value, 0.82, 'still held at the expiry instant');
  now = NOW + 5 * DAY + 1;
  assert.equal(byId(tw.tags()).churn_risk, undefined);
  assert.equal(byId(tw.tagDecisions()).churn_risk.source, 'expired');

  tw.setProfile({ as_of: NOW, tags: { churn_risk: { value: 0.5, expires_at: NOW + DAY } } });
  assert.equal(byId(tw.tags({ now: NOW + DAY })).churn_risk.value, 0.5, 'expires_at wins over the ttl');
  assert.equal(byId(tw.tagDecisions({ now: NOW + DAY + 1 })).churn_risk.source, 'expired');
});

test('explain gives the rule tree with node values and matched event counts, inheritance and suppression', async () => {
  const tw = await runtime();
  tw.setProfile(FRESH);
  const active = tw.explain('active');
  assert.equal(active.id, 'active');
  assert.equal(active.name, '活跃用户');
  assert.equal(active.holds, true);
  assert.equal(active.source, 'rule');
  assert.equal(active.group, 'lifecycle');
  assert.equal(active.when.op, '>=');
  assert.equal(active.when.value, true);
  const [events, five] = active.when.args;
  assert.deepEqual({ op: events.op, matched: events.matched, value: events.value, path: events.path }, { op: 'events', matched: 2, value: 2, path: '/>=/0' });
  assert.equal(five.value, 2);

  const loser = tw.explain('new_user');
  assert.equal(loser.holds, false);
  assert.equal(loser.source, 'exclusiveLoser');
  assert.equal(loser.suppressed_by, 'active');
  assert.equal(loser.when.value, true, 'its own rule held');

  tw.setProfile(GAMER);
  const parent = tw.explain('high_value');
  assert.equal(parent.source, 'parentTag');
  assert.deepEqual(parent.children_holding, ['high_value_game']);
  assert.equal(parent.when.value, false);
  const tier = tw.explain('tier', { now: NOW });
  assert.equal(tier.value, 1);
  assert.equal(tier.value_rule.op, 'bucket');
});

test('explain of a tag the catalog lacks throws TagwiseError unknown_tag', async () => {
  const tw = await runtime();
  assert.throws(() => tw.explain('不存在'), (e) => e instanceof TagwiseError && e.code === 'unknown_tag');
  const empty = await createTagwise();
  assert.throws(() => empty.explain('buyer'), (e) => e instanceof TagwiseError && e.code === 'unknown_tag');
  assert.throws(() => tw.explain(42), TypeError);
});

test('loadCatalog reports every error with its JSON Pointer and UTF-8 message, and keeps the previous catalog', async () => {
  const tw = await runtime();
  tw.setProfile(LOYAL);
  const before = tw.tags();
  const r = tw.loadCatalog({
    tagwise: 1,
    groups: [{ id: 'g', name: '组', exclusive: true, 颜色: 'red' }],
    tags: [
      { id: 'a', name: '甲', when: { and: [true, { tag: ['不存在'] }] } },
      { id: 'b', name: '乙', priority: 'high' },
      { id: 'c', name: '丙', source: 'server', ttl: '三天', purpose: 'ads' },
      { id: 'a', name: '重复' },
    ],
  });
  assert.equal(r.ok, false);
  assert.deepEqual(r.errors.map((e) => [e.code, e.path]), [
    ['unknown_tag', '/tags/0/when/and/1/tag/0'],
    ['wrong_argument_type', '/tags/1/priority'],
    ['wrong_argument_type', '/tags/2/purpose'],
    ['bad_duration', '/tags/2/ttl'],
    ['duplicate_id', '/tags/3/id'],
  ]);
  assert.ok(r.errors.every((e) => e.severity === 'error'));
  assert.match(r.errors[0].message, /不存在/);
  assert.deepEqual(r.warnings.map((w) => [w.code, w.path, w.severity]), [['invalid_rule', '/groups/0/颜色', 'warning']]);
  assert.deepEqual(tw.tags(), before, 'the previous catalog is still in use');
});

test('loadCatalog refuses a dependency cycle, naming the tags of the loop', async () => {
  const tw = await createTagwise();
  const r = tw.loadCatalog({
    tagwise: 1,
    tags: [
      { id: 'a', name: '甲', when: { tag: ['c'] } },
      { id: 'b', name: '乙', when: { tag: ['a'] } },
      { id: 'c', name: '丙', when: { '!': { tag: ['b'] } } },
    ],
  });
  assert.equal(r.ok, false);
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0].code, 'cycle');
  assert.equal(r.errors[0].path, '/tags/0/when');
  for (const name of ['甲', '乙', '丙']) assert.ok(r.errors[0].message.includes(name), r.errors[0].message);
  const parents = tw.loadCatalog({ tagwise: 1, tags: [{ id: 'x', parent: 'y', when: true }, { id: 'y', parent: 'x' }] });
  assert.equal(parents.ok, false);
  assert.equal(parents.errors[0].code, 'cycle', 'parent chains loop too');
});

test('loadCatalog refuses unknown parents and groups with the path of the reference', async () => {
  const tw = await createTagwise();
  const r = tw.loadCatalog({ tagwise: 1, tags: [{ id: 'x', name: '甲', parent: '父标签', when: true }, { id: 'y', group: '组', when: true }] });
  assert.deepEqual(r.errors.map((e) => [e.code, e.path]), [['unknown_tag', '/tags/0/parent'], ['unknown_tag', '/tags/1/group']]);
  assert.match(r.errors[0].message, /父标签/);
});

test('loadCatalog takes JSON text too, and reports text that is not JSON as invalid_json', async () => {
  const tw = await createTagwise({ clock: () => NOW });
  assert.equal(tw.loadCatalog(JSON.stringify(CATALOG)).ok, true);
  tw.setProfile(LOYAL);
  assert.equal(tw.tags().length, 7);
  const bad = tw.loadCatalog('{"tagwise": 1, "tags": [');
  assert.equal(bad.ok, false);
  assert.equal(bad.errors[0].code, 'invalid_json');
  assert.equal(tw.tags().length, 7);
  const nan = tw.loadCatalog({ tagwise: 1, tags: [{ id: 'n', when: { '>': [NaN, 1] } }] });
  assert.deepEqual(nan.errors.map((e) => [e.code, e.path]), [['invalid_rule', '/tags/0/when/>/0']], 'NaN is not JSON');
  assert.equal(tw.loadCatalog(5).errors[0].code, 'wrong_argument_type');
  assert.equal(tw.loadCatalog({ tags: [] }).warnings[0].path, '/tagwise', 'a missing format version is a warning');
});

test('setProfile repairs or skips bad parts with warnings and refuses unusable profiles, keeping the current one', async () => {
  const tw = await runtime();
  tw.setProfile(LOYAL);
  const r = tw.setProfile({
    user_id: 'u-bad',
    events: [{ type: '下单', ts: (NOW - DAY) / 1000, props: { amount: 5 } }, { ts: 5 }, 7, order('ok', 1, 5, '图书')],
    tags: { churn_risk: 0.9 },
    颜色: 1,
  });
  assert.equal(r.ok, true);
  const paths = r.warnings.map((w) => w.path);
  for (const p of ['/颜色', '/events/0/ts', '/events/1/type', '/events/2', '/tags/churn_risk']) assert.ok(paths.includes(p), `${p} in ${paths}`);
  assert.equal(tw.getProfile().events.length, 2, 'the seconds timestamp was repaired, the unusable events skipped');

  const held = tw.tags();
  for (const bad of [{ tagwise_profile: 2 }, 'text', [1, 2], null, { events: 'many' }]) {
    const refused = tw.setProfile(bad);
    assert.equal(refused.ok, false, JSON.stringify(bad));
    assert.equal(refused.errors.length, 1);
  }
  assert.equal(tw.setProfile({ tagwise_profile: 2 }).errors[0].code, 'unsupported_version');
  assert.deepEqual(tw.tags(), held, 'refused profiles change nothing');
});

test('setProfile with merge keeps local events after the snapshot and never double counts', async () => {
  const tw = await runtime();
  tw.setProfile({ user_id: 'u-m', events: [order('m1', 3, 40, '图书'), order('m2', 1, 40, '图书')] });
  assert.equal(byId(tw.tags()).tier.value, 1);
  // The server counted m1 (before as_of) and sends it with another order of its own.
  const snapshot = { user_id: 'u-m', as_of: NOW - 2 * DAY, events: [order('m1', 3, 40, '图书'), order('s1', 4, 40, '图书')], tags: {} };
  const r = tw.setProfile(snapshot, { merge: true });
  assert.deepEqual(r, { ok: true, errors: [], warnings: [] });
  assert.deepEqual(tw.getProfile().events.map((e) => e.id).sort(), ['m1', 'm2', 's1']);
  assert.equal(byId(tw.tags()).tier.value, 2, '40 + 40 + 40 = 120');
  const refused = tw.setProfile({ user_id: 'someone-else', as_of: NOW }, { merge: true });
  assert.equal(refused.ok, false);
  assert.equal(refused.errors[0].path, '/user_id');
});

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomProfiles(n, seed) {
  const rnd = random(seed);
  const types = ['下单', '下单', '浏览', '领券'];
  return Array.from({ length: n }, (_, u) => {
    const events = Array.from({ length: Math.floor(rnd() * 12) }, (_, k) => ({
      id: `e${u}-${k}`,
      type: types[Math.floor(rnd() * types.length)],
      ts: NOW - Math.floor(rnd() * 120 * DAY),
      props: { amount: Math.round(rnd() * 80), 品类: rnd() < 0.5 ? '游戏' : '图书' },
    }));
    const p = { user_id: `u${u}`, attributes: { 城市: rnd() < 0.3 ? '上海' : '北京' }, events };
    if (rnd() < 0.3) Object.assign(p, { as_of: NOW - DAY, tags: { churn_risk: { value: Math.round(rnd() * 100) / 100 } } });
    return p;
  });
}

test('tagProfiles gives every profile the same tags as setProfile + tags() does, in one call', async () => {
  const tw = await runtime();
  const single = await runtime();
  const profiles = randomProfiles(80, 7);
  const batch = tw.tagProfiles(profiles, { now: NOW });
  assert.equal(batch.length, profiles.length);
  let held = 0;
  profiles.forEach((p, i) => {
    assert.equal(single.setProfile(p).ok, true);
    const expected = Object.fromEntries(single.tags().map((t) => [t.id, t.value ?? true]));
    assert.deepEqual(batch[i], { user_id: p.user_id, tags: expected }, `profile ${i}`);
    held += Object.keys(expected).length;
  });
  assert.ok(held > 80, 'the sample holds tags at all');
  assert.deepEqual(tw.tags(), [], 'the instance profile is untouched');
});

test('tagProfiles reports unreadable profiles in place and tags the rest', async () => {
  const tw = await runtime();
  const out = tw.tagProfiles([GAMER, 7, { user_id: 12, tagwise_profile: 9 }, { events: [{ type: '下单', ts: 'yesterday' }] }], { now: NOW });
  assert.equal(out[0].user_id, 'u-gamer');
  assert.equal(out[0].tags.high_value, true);
  assert.equal(out[0].tags.tier, 1);
  assert.deepEqual(out[1].tags, {});
  assert.equal(out[1].errors[0].code, 'wrong_argument_type');
  assert.equal(out[2].user_id, '12');
  assert.equal(out[2].errors[0].code, 'unsupported_version');
  assert.equal(out[3].user_id, null);
  assert.deepEqual(out[3].warnings.map((w) => w.path), ['/events/0/ts']);
  assert.deepEqual(tw.tagProfiles([]), []);
  const empty = await createTagwise();
  assert.deepEqual(empty.tagProfiles([GAMER]), [{ user_id: 'u-gamer', tags: {} }], 'no catalog, no tags');
  assert.throws(() => tw.tagProfiles([{ n: 1n }]), (e) => e instanceof TagwiseError && e.code === 'invalid_json' && e.path === '/0');
  assert.throws(() => tw.tagProfiles(GAMER), TypeError);
});

test('tags of switched-off consent purposes are not computed, from createTagwise, setPurposes and per batch', async () => {
  const snapshot = { ...LOYAL, as_of: NOW, tags: { churn_risk: { value: 0.7 } }, events: [...LOYAL.events, { id: 'c', type: '领券', ts: NOW - DAY }] };
  const tw = await runtime({ purposes: ['personalization'] });
  assert.deepEqual(tw.purposes, ['necessary', 'personalization']);
  tw.setProfile(snapshot);
  const d = byId(tw.tagDecisions());
  assert.equal(d.churn_risk.source, 'consentDenied');
  assert.equal(d.coupon_lover.source, 'consentDenied');
  assert.equal(d.coupon_lover.holds, false);
  assert.ok(!ids(tw.tags()).includes('coupon_lover'));

  // Data only switched-off purposes need is not kept (DESIGN.md section 6):
  // the marketing event and the analytics server tag were dropped on load.
  assert.ok(!tw.getProfile().events.some((e) => e.type === '领券'));
  assert.deepEqual(tw.getProfile().tags ?? {}, {});

  const seen = [];
  tw.onTagsChanged((c) => seen.push(c));
  tw.setPurposes(['personalization', 'marketing', 'analytics']);
  assert.deepEqual(seen, [], 'granting a purpose does not bring back data that was not kept');
  tw.setProfile(snapshot);
  assert.deepEqual(seen, [{ entered: ['churn_risk', 'coupon_lover'], left: [], changed: [] }]);
  seen.length = 0;
  tw.setPurposes([]);
  assert.deepEqual(seen[0], {
    entered: [],
    left: ['buyer', 'high_value', 'high_value_game', 'tier', 'gold', 'active', 'churn_risk', 'shanghai', 'coupon_lover'],
    changed: [],
  });
  assert.deepEqual(tw.tags(), [], 'with only `necessary` on, no personalization tag is computed');
  assert.deepEqual(tw.purposes, ['necessary']);

  const all = tw.tagProfiles([snapshot], { now: NOW, purposes: ['personalization', 'marketing', 'analytics'] })[0].tags;
  assert.equal(all.churn_risk, 0.7);
  assert.equal(all.coupon_lover, true);
  assert.deepEqual(tw.tagProfiles([snapshot], { now: NOW })[0].tags, {}, 'the instance purposes apply by default');

  assert.throws(() => tw.setPurposes(['marketting']), TypeError);
  assert.throws(() => tw.setPurposes('marketing'), TypeError);
  await assert.rejects(createTagwise({ purposes: ['ads'] }), TypeError);
});

test('lintCatalog reports findings with tag ids and paths, and coverage and dead tags over a sample', async () => {
  const tw = await createTagwise({ clock: () => NOW });
  const catalog = {
    tagwise: 1,
    groups: [{ id: 'g', name: '组', exclusive: true }],
    tags: [
      { id: 'adult', name: '成年', group: 'g', when: { '>=': [{ var: 'age' }, 18] } },
      { id: 'teen', name: '青少年', group: 'g', when: { '<': [{ var: 'age' }, 20] } },
      { id: 'never', name: '不可能', when: { and: [{ '>': [{ var: 'age' }, 60] }, { '<': [{ var: 'age' }, 18] }] } },
      { id: 'orphan', name: '孤儿' },
    ],
  };
  const r = tw.lintCatalog(catalog, { sample: [{ attributes: { age: 30 } }, { attributes: { age: 12 } }, 'junk'] });
  const f = Object.fromEntries(r.findings.map((x) => [x.code, x]));
  assert.deepEqual(
    { tagId: f.never_holds.tagId, path: f.never_holds.path, severity: f.never_holds.severity },
    { tagId: 'never', path: '/tags/2/when', severity: 'warning' },
  );
  assert.match(f.never_holds.message, /不可能/);
  assert.equal(f.same_priority_exclusive.tagId, 'teen');
  assert.equal(f.unused_tag.tagId, 'orphan');
  assert.ok(r.findings.some((x) => x.code === 'dead_tag' && x.tagId === 'never'));
  assert.equal(r.sampleSize, 2);
  assert.deepEqual(r.coverage.map((c) => [c.tagId, c.users, c.share]), [['adult', 1, 0.5], ['teen', 1, 0.5], ['never', 0, 0], ['orphan', 0, 0]]);
  assert.deepEqual(r.warnings.map((w) => [w.path, w.severity]), [['/sample/2', 'warning']]);

  const broken = tw.lintCatalog({ tagwise: 1, tags: [{ id: 'e', name: '戊', parent: '无' }] });
  assert.deepEqual(broken.findings.map((x) => [x.code, x.path, x.severity]).slice(0, 1), [['unknown_parent', '/tags/0/parent', 'error']]);
  assert.deepEqual(broken.coverage, []);
  const text = tw.lintCatalog('{"tags": [}');
  assert.deepEqual(text.findings.map((x) => [x.code, x.severity]), [['invalid_json', 'error']]);
  assert.throws(() => tw.lintCatalog(catalog, { sample: {} }), TypeError);
  assert.throws(() => tw.lintCatalog(catalog, { sample: [{ a: 1n }] }), (e) => e instanceof TagwiseError && e.path === '/sample/0');
});

test('bad input never crashes the instance: malformed JSON, wrong types, 10,000-deep nesting', async () => {
  const tw = await runtime();
  tw.setProfile(LOYAL);
  const expected = tw.tags();
  const deepText = '['.repeat(10_000) + ']'.repeat(10_000);
  const deep = JSON.parse(deepText);
  const cyclic = {};
  cyclic.self = cyclic;

  const catalogs = [deep, { tagwise: 1, tags: [{ id: 'x', when: deep }] }, `{"tagwise":1,"tags":[{"id":"x","when":${deepText}}]}`,
    '\u0000', '{"tags": "\ud800"}', cyclic, 1n, undefined, null, [], { tagwise: 99, tags: [] }, { tags: [null, 1, 'x', { id: 7 }] }];
  for (const [i, c] of catalogs.entries()) {
    const r = tw.loadCatalog(c);
    assert.equal(r.ok, false, `catalog ${i}`);
    assert.ok(r.errors.length > 0 && r.errors.every((e) => typeof e.code === 'string' && typeof e.path === 'string'));
  }
  assert.equal(tw.loadCatalog(deep).errors[0].code, 'too_deep');

  for (const p of [{ attributes: deep }, { events: [{ type: 'x', ts: NOW, props: { deep } }] }, cyclic, { user_id: 1n }]) {
    assert.equal(tw.setProfile(p).ok, false);
  }
  assert.equal(tw.setProfile({ attributes: deep }).errors[0].code, 'too_deep');
  assert.equal(tw.track({ type: 'x', props: { deep } }).errors[0].code, 'too_deep');
  assert.equal(tw.track(cyclic).ok, false);
  assert.throws(() => tw.tagProfiles([{ attributes: deep }]), (e) => e instanceof TagwiseError && e.code === 'too_deep' && e.path === '/0');
  assert.equal(tw.lintCatalog(deep).findings[0].code, 'too_deep');
  assert.throws(() => tw.tags({ now: NaN }), TypeError);
  assert.throws(() => tw.tags({ now: 'today' }), TypeError);

  assert.deepEqual(tw.tags(), expected, 'the instance still works and still holds the same state');
  assert.equal(tw.explain('tier').value, 2);
});

test('index.d.ts lists exactly the consent purposes and decision sources the runtime reports', async () => {
  const dts = readFileSync(new URL('../../js/index.d.ts', import.meta.url), 'utf8');
  const union = (name) => [...dts.match(new RegExp(`export type ${name} =([^;]*);`))[1].matchAll(/'([A-Za-z_]+)'/g)].map((m) => m[1]);
  const tw = await createTagwise({ clock: () => NOW });
  assert.deepEqual(union('Purpose'), tw.purposes, 'every purpose, in the core order, is on by default');

  const r = tw.loadCatalog({
    tagwise: 1,
    groups: [{ id: 'g', exclusive: true }],
    tags: [
      { id: 'rule', when: true },
      { id: 'parent' },
      { id: 'child', parent: 'parent', when: true },
      { id: 'winner', group: 'g', priority: 1, when: true },
      { id: 'loser', group: 'g', when: true },
      { id: 'denied', purpose: 'marketing', when: true },
      { id: 'expired', source: 'server' },
      { id: 'server', source: 'server' },
      { id: 'error', when: { throw: '出错' } },
    ],
  });
  assert.equal(r.ok, true, JSON.stringify(r.errors));
  tw.setPurposes(['personalization']);
  tw.setProfile({ as_of: NOW, tags: { expired: { expires_at: NOW - 1 }, server: { value: 1 } } });
  const sources = Object.fromEntries(tw.tagDecisions().map((d) => [d.id, d.source]));
  assert.deepEqual(sources, {
    rule: 'rule', parent: 'parentTag', child: 'rule', winner: 'rule', loser: 'exclusiveLoser',
    denied: 'consentDenied', expired: 'expired', server: 'server', error: 'error',
  });
  assert.deepEqual(new Set(Object.values(sources)), new Set(union('DecisionSource')));
  assert.match(tw.tagDecisions().find((d) => d.id === 'error').error, /出错/);
});
