// The SSR hand-off (js/ssr.js): a server's Tagwise writes a compact state,
// a second instance (the browser's) hydrates from it and computes identical
// tags; bad states are refused with clear errors, never thrown; embedState's
// HTML cannot be broken out of by hostile profile text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTagwise } from 'tagwise';
import { embedState, hydrate, readEmbeddedState, ssrState } from '../../js/ssr.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 20, 4);
const HOSTILE = '</script><script>alert(1)</script><!-- \u2028\u2029 & 钻石会员 </SCRIPT >';

const CATALOG = {
  tagwise: 1,
  groups: [{ id: 'stage', name: '阶段', exclusive: true }],
  tags: [
    { id: 'new', name: '新访客', group: 'stage', priority: 1, when: { '!': [{ events: [{ type: '下单', agg: 'exists' }] }] } },
    { id: 'buyer', name: '买家', group: 'stage', priority: 2, when: { '>=': [{ events: [{ type: '下单' }] }, 1] } },
    { id: 'active', name: '近7天活跃', when: { '>=': [{ events: [{ type: '浏览', within: '7d' }] }, 2] } },
    { id: 'spend', name: '累计消费', when: { tag: ['buyer'] }, value: { events: [{ type: '下单', agg: 'sum', field: '金额' }] } },
    { id: 'level', name: '会员等级', when: { '!!': [{ var: 'level' }] }, value: { var: 'level' } },
    { id: 'promo', name: '优惠敏感', purpose: 'marketing', when: { '>=': [{ events: [{ type: '下单', where: { '==': [{ var: '券' }, true] } }] }, 1] } },
    { id: 'risk', name: '退款风险', purpose: 'security', when: { '>=': [{ events: [{ type: '退款' }] }, 1] } },
  ],
};

const PROFILE = {
  user_id: '用户-42',
  tz_offset_min: 480,
  attributes: { level: '黄金会员', city: '上海' },
  events: [
    { id: 'o1', type: '下单', ts: NOW - 10 * DAY, props: { 金额: 128, 券: true } },
    { id: 'o2', type: '下单', ts: NOW - 2 * DAY, props: { 金额: 60.5 } },
    { id: 'v1', type: '浏览', ts: NOW - DAY },
    { id: 'v2', type: '浏览', ts: NOW - 3600_000, props: {} },
    { id: 'r1', type: '退款', ts: NOW - DAY, props: { 金额: 60.5 } },
  ],
};

/** A runtime with the catalog and (optionally) a profile, clock fixed at `now`. */
async function runtime({ catalog = CATALOG, profile, purposes, now = NOW } = {}) {
  const tw = await createTagwise({ clock: () => now, purposes, storage: null });
  const r = tw.loadCatalog(catalog);
  assert.equal(r.ok, true, JSON.stringify(r.errors));
  if (profile !== undefined) assert.equal(tw.setProfile(profile).ok, true);
  return tw;
}

const pairs = (tw, now = NOW) => tw.tags({ now }).map((t) => [t.id, t.value]);


/** The text inside the embedded element, as a browser would read it. */
function innerOf(html) {
  const open = html.indexOf('>') + 1;
  assert.ok(html.endsWith('</script>'));
  return html.slice(open, -'</script>'.length);
}

test('state round trip: a second instance hydrating the JSON state gets identical tags and profile', async () => {
  const server = await runtime({ profile: PROFILE });
  const state = ssrState(server);

  assert.deepEqual(Object.keys(state), typeof server.catalogFingerprint === 'string'
    ? ['v', 'fingerprint', 'now', 'purposes', 'profile', 'tags']
    : ['v', 'now', 'purposes', 'profile', 'tags']);
  assert.equal(state.v, 1);
  assert.equal(state.now, NOW, 'without opts.now the runtime clock decides');
  assert.deepEqual(state.purposes, server.purposes);
  assert.deepEqual(state.tags, [['buyer', true], ['active', true], ['spend', 188.5], ['level', '黄金会员'], ['promo', true], ['risk', true]]);
  if (state.fingerprint !== undefined) assert.equal(state.fingerprint, server.catalogFingerprint);

  // Compact: what reads back as the default is left out.
  assert.equal(state.profile.compacted_through, undefined);
  assert.equal(state.profile.rollups, undefined);
  assert.equal(state.profile.events.find((e) => e.id === 'v2').props, undefined, 'empty props dropped');
  assert.deepEqual(state.profile.events.find((e) => e.id === 'o1').props, { 金额: 128, 券: true });
  assert.equal(state.profile.tz_offset_min, 480);
  assert.ok(JSON.stringify(state.profile).length < JSON.stringify(server.getProfile()).length);

  // Through JSON text, as it travels in the page.
  const wire = JSON.parse(JSON.stringify(state));
  const browser = await runtime({ now: NOW + 5 * DAY });   // the browser's clock is elsewhere
  const r = hydrate(browser, wire);
  assert.equal(r.ok, true, JSON.stringify(r.errors));
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.mismatches, []);
  assert.deepEqual(pairs(browser), state.tags);
  assert.deepEqual(browser.tags({ now: NOW }), server.tags({ now: NOW }), 'names, purposes, sources too');
  assert.deepEqual(browser.getProfile(), server.getProfile(), 'the compact profile reads back as the same profile');
  assert.deepEqual(ssrState(browser, { now: NOW }), state, 'and writes the same state again');

  // The state's JSON text is accepted as well.
  const again = await runtime();
  assert.equal(hydrate(again, JSON.stringify(state)).ok, true);
  assert.deepEqual(pairs(again), state.tags);
});

test('ssrState: opts.now (number or Date) is the evaluation time; bad now and bad options are TypeErrors', async () => {
  const tw = await runtime({ profile: PROFILE });
  const later = NOW + 6.5 * DAY;   // v1 (NOW - 1d) is then 7.5 days old
  const state = ssrState(tw, { now: new Date(later) });
  assert.equal(state.now, later);
  assert.deepEqual(state.tags, pairs(tw, later));
  assert.ok(!state.tags.some(([id]) => id === 'active'), 'the views left the 7-day window');
  assert.throws(() => ssrState(tw, { now: 'yesterday' }), TypeError);
  assert.throws(() => ssrState(tw, { now: NaN }), TypeError);
  assert.throws(() => ssrState(tw, null), TypeError);
  const empty = await createTagwise({ clock: () => NOW, storage: null });
  if ('catalogFingerprint' in empty) assert.throws(() => ssrState(empty), /loaded catalog/);
});

test('bad states are refused with every problem and a JSON Pointer, never thrown, and change nothing', async () => {
  const tw = await runtime({ profile: { user_id: 'local', events: [{ id: 'x', type: '浏览', ts: NOW }] } });
  const before = tw.getProfile();
  const good = ssrState(await runtime({ profile: PROFILE }));
  const check = (state, expected) => {
    let r;
    assert.doesNotThrow(() => { r = hydrate(tw, state); });
    assert.equal(r.ok, false);
    assert.deepEqual(r.mismatches, []);
    assert.deepEqual(r.errors.map((e) => [e.code, e.path]), expected, JSON.stringify(r.errors));
    for (const e of r.errors) {
      assert.equal(typeof e.message, 'string');
      assert.ok(e.message.length > 10);
    }
    assert.deepEqual(tw.getProfile(), before, 'a refused state changes nothing');
  };
  for (const bad of [null, undefined, 42, [], true]) check(bad, [['wrong_argument_type', '']]);
  check('{"v": 1, ', [['invalid_json', '']]);
  check('"a string"', [['wrong_argument_type', '']]);
  check({ ...good, v: 2 }, [['unsupported_version', '/v']]);
  check({ ...good, v: '1' }, [['wrong_argument_type', '/v']]);
  const { v, ...noVersion } = good;
  check(noVersion, [['wrong_argument_type', '/v']]);
  check({ v: 1 }, [
    ['wrong_argument_type', '/now'], ['wrong_argument_type', '/purposes'],
    ['wrong_argument_type', '/profile'], ['wrong_argument_type', '/tags'],
  ]);
  check({
    ...good, fingerprint: 7, now: Infinity, purposes: ['necessary', 'ads'], profile: [],
    tags: [['buyer', true], 'active', ['spend'], ['buyer', 1]],
  }, [
    ['wrong_argument_type', '/fingerprint'], ['wrong_argument_type', '/now'], ['wrong_argument_type', '/purposes/1'],
    ['wrong_argument_type', '/profile'], ['wrong_argument_type', '/tags/1'], ['wrong_argument_type', '/tags/2'],
    ['duplicate_id', '/tags/3/0'],
  ]);
  // A profile the core refuses: its errors, with paths under /profile.
  check({ ...good, profile: { ...good.profile, events: 'none' } }, [['wrong_argument_type', '/profile/events']]);
  check({ ...good, profile: { ...good.profile, tagwise_profile: 9 } }, [['unsupported_version', '/profile/tagwise_profile']]);

  const r = hydrate(tw, { ...good, purposes: ['necessary', 'ads'] });
  assert.match(r.errors[0].message, /"ads" is not a consent purpose/);
  // Values JSON cannot write (issue 24): reported, not thrown.
  const cyclic = ['x'];
  cyclic.push(cyclic);
  check({ ...good, purposes: ['necessary', 10n, cyclic, Symbol('s')] }, [
    ['wrong_argument_type', '/purposes/1'], ['wrong_argument_type', '/purposes/2'], ['wrong_argument_type', '/purposes/3'],
  ]);
  assert.match(hydrate(tw, { ...good, purposes: [10n] }).errors[0].message, /^10n is not a consent purpose/);
});

test('a state made with another catalog is refused with catalog_mismatch', async () => {
  const state = ssrState(await runtime({ profile: PROFILE }));
  const changed = { ...CATALOG, tags: CATALOG.tags.map((tag) => (tag.id === 'active' ? { ...tag, when: { '>=': [{ events: [{ type: '浏览', within: '7d' }] }, 3] } } : tag)) };
  const browser = await runtime({ catalog: changed });
  const r = hydrate(browser, state);
  assert.equal(r.ok, false);
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0].code, 'catalog_mismatch');
  assert.equal(r.errors[0].path, '/fingerprint');
  assert.match(r.errors[0].message, /another catalog/);
  assert.deepEqual(browser.getProfile().events, [], 'the profile was not loaded');

  // The same catalog written differently has the same fingerprint.
  const reformatted = await runtime({ catalog: JSON.stringify(CATALOG, null, 2) });
  assert.equal(hydrate(reformatted, state).ok, true);

  // No catalog loaded at all: the same code, saying so.
  const bare = await createTagwise({ clock: () => NOW, storage: null });
  const none = hydrate(bare, state);
  assert.deepEqual([none.ok, none.errors[0].code, none.errors[0].path], [false, 'catalog_mismatch', '/fingerprint']);
  assert.match(none.errors[0].message, /No catalog is loaded/);
});

test('a runtime without a fingerprint on one side still hydrates, with a catalog_unverified warning', async () => {
  const state = ssrState(await runtime({ profile: PROFILE }));
  const { fingerprint, ...unsigned } = state;
  const r = hydrate(await runtime(), unsigned);
  assert.equal(r.ok, true);
  assert.deepEqual(r.warnings.map((w) => [w.code, w.path, w.severity]), [['catalog_unverified', '/fingerprint', 'warning']]);
});

test('another consent choice in the browser is reported as mismatches, not a failure', async () => {
  const state = ssrState(await runtime({ profile: PROFILE }));
  const browser = await runtime({ purposes: ['necessary', 'security', 'personalization'] });  // no marketing
  const r = hydrate(browser, state);
  assert.equal(r.ok, true, JSON.stringify(r.errors));
  assert.deepEqual(r.mismatches, [{ id: 'promo', server: true, browser: undefined }]);
  assert.ok(r.warnings.some((w) => w.code === 'purposes_differ' && w.path === '/purposes'));
  assert.deepEqual(pairs(browser), state.tags.filter(([id]) => id !== 'promo'));
});

test('events the browser already had are merged by id ("union") and their effect listed in mismatches', async () => {
  const state = ssrState(await runtime({ profile: PROFILE }));
  // The browser kept the same user's profile (from an earlier page) with one
  // more order, and a copy of o2.
  const browser = await runtime({
    profile: {
      user_id: PROFILE.user_id,
      tz_offset_min: 480,
      attributes: PROFILE.attributes,
      events: [PROFILE.events[1], { id: 'o3', type: '下单', ts: NOW - 3600_000, props: { 金额: 11.5 } }],
    },
  });
  const r = hydrate(browser, state);
  assert.equal(r.ok, true, JSON.stringify(r.errors));
  assert.deepEqual(r.mismatches, [{ id: 'spend', server: 188.5, browser: 200 }], 'o2 counted once, o3 added');
  assert.deepEqual(browser.getProfile().events.map((e) => e.id).sort(), ['o1', 'o2', 'o3', 'r1', 'v1', 'v2']);

  // An anonymous local profile (browsing before login) is merged too and takes the user's id.
  const anonymous = await runtime({ profile: { events: [{ id: 'v9', type: '浏览', ts: NOW - 60_000 }] } });
  const merged = hydrate(anonymous, state);
  assert.equal(merged.ok, true, JSON.stringify(merged.errors));
  assert.equal(anonymous.getProfile().user_id, PROFILE.user_id);
  assert.ok(anonymous.getProfile().events.some((e) => e.id === 'v9'));
});

test('in a union the server\'s attributes win (the browser\'s copy may be older)', async () => {
  const state = ssrState(await runtime({ profile: PROFILE }));
  const browser = await runtime({ profile: { user_id: PROFILE.user_id, attributes: { level: '白银会员', locale: 'zh-CN' }, events: [PROFILE.events[0]] } });
  const r = hydrate(browser, state);
  assert.equal(r.ok, true);
  assert.deepEqual(r.mismatches, []);
  assert.equal(browser.getProfile().attributes.level, '黄金会员');
});

test('with { catalogMismatch: "load" } another catalog is a warning: the profile loads and the tags are compared', async () => {
  const state = ssrState(await runtime({ profile: PROFILE }));
  const changed = { ...CATALOG, tags: CATALOG.tags.filter((tag) => tag.id !== 'promo') };
  const browser = await runtime({ catalog: changed });
  const r = hydrate(browser, state, { catalogMismatch: 'load' });
  assert.equal(r.ok, true, JSON.stringify(r.errors));
  assert.deepEqual(r.warnings.map((w) => [w.code, w.path, w.severity]), [['catalog_mismatch', '/fingerprint', 'warning']]);
  assert.deepEqual(r.mismatches, [{ id: 'promo', server: true, browser: undefined }]);
  assert.throws(() => hydrate(browser, state, { catalogMismatch: 'ignore' }), TypeError);
  assert.throws(() => hydrate(browser, state, null), TypeError);
});

test('a stored profile of another named user is replaced (visitor_changed), never merged into this visitor', async () => {
  const state = ssrState(await runtime({ profile: PROFILE }));
  const shared = await runtime({ profile: { user_id: 'someone-else', attributes: { level: '钻石会员' }, events: [{ id: 'z', type: '退款', ts: NOW }] } });
  const r = hydrate(shared, state);
  assert.equal(r.ok, true, JSON.stringify(r.errors));
  assert.deepEqual(r.mismatches, []);
  assert.deepEqual(r.warnings.filter((w) => w.code !== 'catalog_unverified').map((w) => [w.code, w.path]), [['visitor_changed', '/profile/user_id']]);
  assert.match(r.warnings.find((w) => w.code === 'visitor_changed').message, /someone-else/);
  assert.equal(shared.getProfile().user_id, PROFILE.user_id);
  assert.ok(!shared.getProfile().events.some((e) => e.id === 'z'), "the other user's events are gone");
  assert.deepEqual(pairs(shared), state.tags);
});

test('embedState escapes the JSON so hostile profile text cannot end the element; readEmbeddedState reads it back', async () => {
  const hostile = {
    user_id: `u${HOSTILE}`,
    attributes: { level: HOSTILE, note: '</script ><!--<script>' },
    events: [{ id: 'e</script>', type: '浏览', ts: NOW - 1000, props: { 品类: HOSTILE } }],
  };
  const server = await runtime({ profile: hostile });
  const state = ssrState(server);
  assert.deepEqual(state.tags.find(([id]) => id === 'level'), ['level', HOSTILE], 'the hostile text is a tag value');

  const html = embedState(state);
  assert.ok(html.startsWith('<script type="application/json" id="tagwise-state">'));
  const inner = innerOf(html);
  for (const unsafe of ['<', '>', '&', '\u2028', '\u2029']) assert.ok(!inner.includes(unsafe), `no raw ${JSON.stringify(unsafe)}`);
  assert.ok(!/<\/script/i.test(inner) && !inner.includes('<!--'));
  assert.ok(inner.includes('\\u003c/script\\u003e') && inner.includes('\\u2028') && inner.includes('钻石会员'));
  assert.deepEqual(JSON.parse(inner), state, 'the escaped text is the same JSON');
  // Only the closing tag we wrote ends the element.
  assert.equal(html.toLowerCase().split('</script').length, 2);

  // Through a document stand-in, as the browser reads it.
  const doc = { getElementById: (id) => (id === 'tagwise-state' ? { textContent: inner } : null) };
  const read = readEmbeddedState('tagwise-state', doc);
  assert.deepEqual(read, state);
  const browser = await runtime();
  const r = hydrate(browser, read);
  assert.equal(r.ok, true, JSON.stringify(r.errors));
  assert.deepEqual(r.mismatches, []);
  assert.deepEqual(pairs(browser), state.tags);

  // The id is an attribute value: escaped too.
  const odd = embedState({ v: 1 }, { id: 'x" onload="alert(1)' });
  assert.ok(odd.startsWith('<script type="application/json" id="x&quot; onload=&quot;alert(1)">'));
  assert.throws(() => embedState({ v: 1 }, { id: '' }), TypeError);
  assert.throws(() => embedState(undefined), TypeError);
});

test('readEmbeddedState returns null (never throws) when the element is missing or not a JSON object', () => {
  const doc = (text) => ({ getElementById: () => (text === undefined ? null : { textContent: text }) });
  assert.equal(readEmbeddedState('tagwise-state', doc(undefined)), null);
  assert.equal(readEmbeddedState('tagwise-state', doc('{"v": 1,')), null);
  assert.equal(readEmbeddedState('tagwise-state', doc('')), null);
  assert.equal(readEmbeddedState('tagwise-state', doc('[1, 2]')), null);
  assert.equal(readEmbeddedState('tagwise-state', doc('null')), null);
  assert.equal(readEmbeddedState('tagwise-state', { getElementById() { throw new Error('detached'); } }), null);
  assert.equal(readEmbeddedState('tagwise-state', undefined), null, 'no document (Node)');
  assert.equal(readEmbeddedState(), null);
  assert.deepEqual(readEmbeddedState('s', doc('{"v":1}')), { v: 1 });
});

test('the package wires the hand-off: tw.ssrState / tw.hydrate methods and the embed helpers from the entry', async () => {
  const pkg = await import('tagwise');
  assert.equal(pkg.embedState, embedState);
  assert.equal(pkg.readEmbeddedState, readEmbeddedState);
  const server = await runtime({ profile: PROFILE });
  assert.deepEqual(server.ssrState(), ssrState(server));
  const browser = await runtime();
  const r = browser.hydrate(server.ssrState());
  assert.equal(r.ok, true);
  assert.deepEqual(pairs(browser), pairs(server));
});
