// The Node side of the runtime (issue 5): persistence through a storage
// adapter (shared memory stands in for a page reload or a second tab), the
// store's checksums and recovery, quota handling, consent and privacy rights.
// The same behaviours against real IndexedDB/localStorage run in Chromium
// (tests/browser/runtime.test.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTagwise, memoryStorage } from 'tagwise';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 20, 8);

const CATALOG = {
  tagwise: 1,
  tags: [
    { id: 'active', name: '高活跃用户', purpose: 'personalization', when: { '>=': [{ events: [{ type: 'view', within: '7d' }] }, 3] } },
    { id: 'buyer', name: '买家', purpose: 'personalization', when: { '>=': [{ events: [{ type: 'order_paid' }] }, 1] } },
    { id: 'coupon_target', name: '优惠券人群', purpose: 'marketing', when: { '>=': [{ events: [{ type: 'coupon_view', within: '30d' }] }, 1] } },
    { id: 'refund_risk', name: '退款风险', purpose: 'security', when: { '>=': [{ events: [{ type: 'refund', within: '30d' }] }, 2] } },
  ],
};

async function open(storage, extra = {}) {
  const clock = { now: NOW };
  const diagnostics = [];
  const tw = await createTagwise({
    clock: () => clock.now, storage, flushDelay: 5, catalog: CATALOG,
    onError: (d) => diagnostics.push(d), ...extra,
  });
  return { tw, clock, diagnostics };
}

const ids = (tw) => tw.tags().map((t) => t.id);
const views = (n, prefix = 'v') => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, type: 'view', ts: NOW - i * 1000, props: { item: `商品${i}` } }));

test('tracked events survive a reload through the storage adapter, debounced into one write', async () => {
  const storage = memoryStorage();
  let writes = 0;
  const counted = { ...storage, update: (k, fn) => { writes++; return storage.update(k, fn); } };
  const a = await open(counted);
  a.tw.trackMany(views(2));
  a.tw.track({ id: 'v9', type: 'view', ts: NOW - 5000 });
  assert.deepEqual(ids(a.tw), ['active']);
  await a.tw.flush();
  assert.equal(writes, 1, 'three tracks, one write');
  const text = storage.get('tagwise');
  assert.match(text, /^TAGWISE-STORE 1\n/);

  const b = await open(storage);
  assert.deepEqual(ids(b.tw), ['active'], 'the reloaded page has the same tags without re-tracking');
  assert.equal(b.tw.getProfile().events.length, 3);
  assert.deepEqual(b.diagnostics, []);
});

test('two instances writing to one store at the same time lose nothing and count nothing twice', async () => {
  const storage = memoryStorage();
  const a = await open(storage);
  const b = await open(storage);
  a.tw.trackMany(views(2, 'a'));
  b.tw.trackMany(views(2, 'b'));
  // The same event delivered to both tabs (e.g. a server push) counts once.
  a.tw.track({ id: 'shared', type: 'view', ts: NOW - 100 });
  b.tw.track({ id: 'shared', type: 'view', ts: NOW - 100 });
  await Promise.all([a.tw.flush(), b.tw.flush()]);
  await a.tw.flush();
  const c = await open(storage);
  const events = c.tw.getProfile().events.map((e) => e.id).sort();
  assert.deepEqual(events, ['a0', 'a1', 'b0', 'b1', 'shared']);
  assert.equal(b.tw.getProfile().events.length, 5, 'the later flush merged the other tab\'s writes into memory');
});

test('a damaged store keeps every intact event, drops the rest and reports the loss', async () => {
  const storage = memoryStorage();
  const a = await open(storage);
  a.tw.trackMany(views(5));
  await a.tw.flush();
  const text = storage.get('tagwise');
  const lines = text.split('\n');
  // Corrupt the third event line's JSON (its checksum no longer matches).
  const target = lines.findIndex((l, i) => l.startsWith('E ') && i > 3);
  lines[target] = lines[target].replace('"view"', '"vxew"');
  storage.set('tagwise', lines.join('\n'));
  const b = await open(storage);
  assert.equal(b.tw.getProfile().events.length, 4);
  assert.equal(b.diagnostics.length, 1);
  assert.equal(b.diagnostics[0].code, 'store_damaged');
  assert.equal(b.diagnostics[0].eventsDropped, 1);
  assert.ok(b.diagnostics[0].problems.some((p) => p.path === `line ${target + 1}`), JSON.stringify(b.diagnostics[0].problems));
  await b.tw.flush();
  const c = await open(storage);
  assert.deepEqual(c.diagnostics, [], 'the repaired store was written back');
  assert.equal(c.tw.getProfile().events.length, 4);

  // Cut short anywhere: never throws, keeps the events before the cut.
  for (const cut of [0, 10, Math.floor(text.length / 2), text.length - 3]) {
    storage.set('tagwise', text.slice(0, cut));
    const d = await open(storage);
    assert.ok(d.tw.getProfile().events.length <= 5);
    if (cut > 0) assert.equal(d.diagnostics[0]?.code, 'store_damaged', `cut at ${cut}`);
  }
  // Not a store at all.
  storage.set('tagwise', '{"hello": "world"}');
  const e = await open(storage);
  assert.equal(e.tw.getProfile().events.length, 0);
  assert.equal(e.diagnostics[0].code, 'store_damaged');
});

test('a full storage compacts, then drops the oldest history, and says so', async () => {
  const inner = memoryStorage();
  let limit = Infinity;
  const quota = {
    ...inner,
    name: 'tiny',
    update: (k, fn) => inner.update(k, (old) => {
      const next = fn(old);
      if (next !== null && next.length > limit) {
        const e = new Error('The quota has been exceeded.');
        e.name = 'QuotaExceededError';
        throw e;
      }
      return next;
    }),
  };
  const a = await open(quota);
  a.tw.trackMany(Array.from({ length: 400 }, (_, i) => ({ id: `o${i}`, type: 'view', ts: NOW - i * 3_600_000, props: { item: `sku-${i}` } })));
  await a.tw.flush();
  const full = inner.get('tagwise').length;
  limit = Math.floor(full / 3);
  a.tw.track({ id: 'late', type: 'view', ts: NOW });
  await a.tw.flush();
  const stored = inner.get('tagwise');
  assert.ok(stored.length <= limit, `${stored.length} <= ${limit}`);
  assert.ok(a.diagnostics.some((d) => d.code === 'quota_exceeded' && d.step === 'compacted'), JSON.stringify(a.diagnostics));
  const b = await open(inner);
  const p = b.tw.getProfile();
  assert.ok(p.events.some((e) => e.id === 'late'), 'the newest event is kept');
  const counted = p.events.length + p.rollups.reduce((n, r) => n + r.count, 0);
  assert.equal(counted, 401, 'compaction kept every event countable in day summaries');
  assert.deepEqual(ids(b.tw), ['active']);
});

test('consent: get/set/onChange; switching a purpose off removes its tags, stops recording, deletes its data', async () => {
  const storage = memoryStorage();
  const a = await open(storage);
  assert.deepEqual(a.tw.consent.get(), { necessary: true, security: true, personalization: true, marketing: true, analytics: true });
  assert.equal(a.tw.consent.decided, false);
  a.tw.trackMany([...views(3), { id: 'o1', type: 'order_paid', ts: NOW - DAY }, { id: 'c1', type: 'coupon_view', ts: NOW - DAY },
    { id: 'r1', type: 'refund', ts: NOW - DAY }, { id: 'r2', type: 'refund', ts: NOW - 2 * DAY }]);
  assert.deepEqual(ids(a.tw), ['active', 'buyer', 'coupon_target', 'refund_risk']);
  const heard = [];
  a.tw.consent.onChange((c, info) => heard.push([c.personalization, c.marketing, info.source]));
  const left = [];
  a.tw.onTagsChanged((c) => left.push(...c.left));

  const saved = a.tw.consent.set({ personalization: false }, { now: NOW });
  // Effective before the promise settles.
  assert.deepEqual(ids(a.tw), ['coupon_target', 'refund_risk']);
  assert.deepEqual(left.sort(), ['active', 'buyer']);
  assert.deepEqual(a.tw.getProfile().events.map((e) => e.type).sort(), ['coupon_view', 'refund', 'refund']);
  await saved;
  assert.equal(a.tw.consent.decided, true);
  assert.equal(a.tw.consent.updatedAt, NOW);
  assert.deepEqual(heard, [[false, true, 'local']]);
  assert.doesNotMatch(storage.get('tagwise'), /"view"|order_paid/, 'deleted from storage too');

  const r = a.tw.track({ id: 'v-late', type: 'view', ts: NOW });
  assert.equal(r.added, 0);
  assert.equal(r.withheld, 1, 'an event only a switched-off purpose needs is not recorded');
  assert.throws(() => a.tw.consent.set({ necessary: false }), /cannot be switched off/);
  assert.throws(() => a.tw.consent.set({ personalisation: false }), /not a consent purpose/);

  // The choice is persisted: a reload starts with it.
  const b = await open(storage);
  assert.equal(b.tw.consent.get().personalization, false);
  assert.equal(b.tw.consent.decided, true);
});

test('forget() erases memory and storage; exportData() returns everything stored, readable', async () => {
  const storage = memoryStorage();
  const a = await open(storage);
  assert.equal(a.tw.setProfile({ user_id: '用户-42', attributes: { 城市: '杭州' } }).ok, true);
  a.tw.trackMany(views(3));
  await a.tw.consent.set({ marketing: false });
  const data = await a.tw.exportData();
  assert.equal(data.format, 'tagwise-export');
  assert.equal(data.storage.adapter, 'memory');
  assert.equal(data.profile.userId, '用户-42');
  assert.deepEqual(data.profile.attributes, { 城市: '杭州' });
  assert.equal(data.profile.events.length, 3);
  assert.equal(data.profile.events[0].time, new Date(data.profile.events[0].ts).toISOString());
  assert.equal(data.consent.decided, true);
  assert.equal(data.consent.purposes.marketing, false);
  assert.deepEqual(data.tags.map((t) => [t.id, t.name]), [['active', '高活跃用户']]);
  JSON.stringify(data); // plain JSON

  // A second tab (no channel in Node) with unwritten events from before forget().
  const stale = await open(storage, { flushDelay: 60_000 });
  stale.tw.track({ id: 'stale-1', type: 'view', ts: NOW - 10 });

  const changes = [];
  a.tw.onTagsChanged((c) => changes.push(c));
  await a.tw.forget();
  assert.deepEqual(ids(a.tw), []);
  assert.deepEqual(changes.at(-1).left, ['active']);
  assert.equal(a.tw.getProfile().events.length, 0);
  assert.equal(a.tw.consent.decided, false);
  assert.equal(a.tw.consent.get().marketing, true, 'back to the configured default');
  const stored = storage.get('tagwise');
  assert.doesNotMatch(stored, /用户-42|杭州|view|商品/, 'no personal data left in storage');
  const after = await a.tw.exportData();
  assert.deepEqual(after.profile.events, []);
  assert.equal(after.profile.userId, null);

  // The other tab's older copy cannot bring the data back: its write meets
  // the newer generation forget() stored, and it adopts the erased state.
  await stale.tw.flush();
  assert.equal(stale.tw.getProfile().events.length, 0);
  assert.equal(stale.tw.getProfile().user_id, '');
  const merged = await open(storage);
  assert.equal(merged.tw.getProfile().events.length, 0);
});

test('setProfile merge "union" adds another copy of the profile by event id; catalogFingerprint ignores formatting', async () => {
  const { tw } = await open(null);
  tw.setProfile({ user_id: 'u1', events: views(2) });
  const r = tw.setProfile({ user_id: 'u1', events: [...views(2), { id: 'x', type: 'view', ts: NOW - 50 }] }, { merge: 'union' });
  assert.equal(r.ok, true);
  assert.equal(tw.getProfile().events.length, 3);
  const other = tw.setProfile({ user_id: 'u2', events: [] }, { merge: 'union' });
  assert.equal(other.ok, false);
  assert.equal(other.errors[0].path, '/user_id');
  assert.throws(() => tw.setProfile({}, { merge: 'both' }), TypeError);

  const fp = tw.catalogFingerprint;
  assert.match(fp, /^[0-9a-f]{16}$/);
  const { tw: tw2 } = await open(null);
  tw2.loadCatalog(JSON.stringify(CATALOG, null, 2));
  assert.equal(tw2.catalogFingerprint, fp);
  tw2.loadCatalog({ ...CATALOG, tags: CATALOG.tags.slice(1) });
  assert.notEqual(tw2.catalogFingerprint, fp);
});

test('storage option errors are TypeErrors; storage: null keeps nothing; Node defaults to memory with every purpose', async () => {
  await assert.rejects(createTagwise({ storage: 'disk' }), /options.storage/);
  await assert.rejects(createTagwise({ storage: { get() {} } }), /set\(key\)/);
  await assert.rejects(createTagwise({ eventPurposes: { view: [] } }), /non-empty/);
  const tw = await createTagwise();
  assert.deepEqual(tw.storage, { adapter: 'memory', key: 'tagwise' });
  assert.equal(Object.values(tw.consent.get()).every(Boolean), true);
  const none = await createTagwise({ storage: null });
  assert.equal(none.storage.adapter, 'none');
  await none.flush();
});

test('declared event purposes: a type no tag reads is recorded only under its purpose', async () => {
  const { tw } = await open(null, { purposes: ['necessary'], eventPurposes: { search: ['analytics'], heartbeat: ['necessary'] } });
  const r = tw.trackMany([
    { id: 's1', type: 'search', ts: NOW }, { id: 'h1', type: 'heartbeat', ts: NOW },
    { id: 'r1', type: 'refund', ts: NOW }, { id: 'z1', type: 'unknown_type', ts: NOW },
  ]);
  assert.equal(r.added, 1);
  assert.equal(r.withheld, 3);
  assert.deepEqual(tw.getProfile().events.map((e) => e.id), ['h1']);
  await tw.consent.set({ analytics: true, security: true });
  assert.equal(tw.trackMany([{ id: 's2', type: 'search', ts: NOW }, { id: 'r2', type: 'refund', ts: NOW }]).added, 2);
});
