// The live side of the tag runtime (issue 4): track / trackMany keep one
// user's tags fresh with incremental re-evaluation, and onTagsChanged
// listeners hear { entered, left, changed }. Time comes from an injected clock.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTagwise } from 'tagwise';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 20);

const CATALOG = {
  tagwise: 1,
  groups: [{ id: 'stage', name: '阶段', exclusive: true }],
  tags: [
    { id: 'browser', name: '浏览用户', dimension: 'behavior', when: { '>=': [{ events: [{ type: '浏览', within: '7d' }] }, 1] } },
    { id: 'buyer', name: '买家', dimension: 'behavior', when: { '>=': [{ events: [{ type: '下单' }] }, 1] } },
    { id: 'spend', name: '累计消费', dimension: 'value', when: { tag: ['buyer'] }, value: { events: [{ type: '下单', agg: 'sum', field: 'amount' }] } },
    { id: 'prospect', name: '潜在客户', dimension: 'lifecycle', group: 'stage', priority: 1, when: { tag: ['browser'] } },
    { id: 'customer', name: '客户', dimension: 'lifecycle', group: 'stage', priority: 2, when: { tag: ['buyer'] } },
    // Depends on time only: no event type can change it.
    { id: 'after_launch', name: '上线之后', dimension: 'basic', when: { '>': [{ now: [] }, NOW + DAY] } },
  ],
};

async function runtime() {
  const clock = { now: NOW };
  const tw = await createTagwise({ clock: () => clock.now });
  assert.equal(tw.loadCatalog(CATALOG).ok, true);
  const seen = [];
  tw.onTagsChanged((c) => seen.push(c));
  return { tw, clock, seen };
}

const ids = (tw, opts) => tw.tags(opts).map((t) => t.id);

test('track re-evaluates and listeners receive the tags that entered, left and changed', async () => {
  const { tw, seen } = await runtime();
  const r = tw.track({ id: 'v1', type: '浏览', ts: NOW - DAY });
  assert.deepEqual(r, {
    ok: true, added: 1, duplicates: 0, withheld: 0, errors: [], warnings: [],
    changes: { entered: ['browser', 'prospect'], left: [], changed: [] },
  });
  assert.deepEqual(seen, [{ entered: ['browser', 'prospect'], left: [], changed: [] }]);

  tw.track({ id: 'o1', type: '下单', ts: NOW - 1000, props: { amount: 30 } });
  assert.deepEqual(seen[1], { entered: ['buyer', 'spend', 'customer'], left: ['prospect'], changed: [] }, 'customer outranks prospect');
  tw.track({ id: 'o2', type: '下单', ts: NOW, props: { amount: 12.5 } });
  assert.deepEqual(seen[2], { entered: [], left: [], changed: ['spend'] });
  assert.equal(tw.tags().find((t) => t.id === 'spend').value, 42.5);
  assert.deepEqual(ids(tw), ['browser', 'buyer', 'spend', 'customer']);
  assert.equal(seen.length, 3);
});

test('re-delivered events (same id) are deduplicated and notify nobody', async () => {
  const { tw, seen } = await runtime();
  tw.track({ id: 'o1', type: '下单', ts: NOW, props: { amount: 30 } });
  const again = tw.track({ id: 'o1', type: '下单', ts: NOW, props: { amount: 30 } });
  assert.equal(again.added, 0);
  assert.equal(again.duplicates, 1);
  assert.deepEqual(again.changes, { entered: [], left: [], changed: [] });
  const many = tw.trackMany([
    { id: 'o1', type: '下单', ts: NOW, props: { amount: 30 } },
    { id: 'o2', type: '下单', ts: NOW, props: { amount: 5 } },
    { id: 'o2', type: '下单', ts: NOW, props: { amount: 5 } },
  ]);
  assert.deepEqual([many.added, many.duplicates], [1, 2]);
  assert.equal(tw.tags().find((t) => t.id === 'spend').value, 35, 'each order counted once');
  assert.equal(seen.length, 2, 'one notification per call that changed something');
  assert.deepEqual(seen[1], { entered: [], left: [], changed: ['spend'] });
});

test('an event without ts happens at the clock time; without id it gets a content-derived id, so identical re-deliveries count once', async () => {
  const { tw, clock } = await runtime();
  clock.now = NOW + 5;
  tw.track({ type: '下单', props: { amount: 1 } });
  const [event] = tw.getProfile().events;
  assert.equal(event.ts, NOW + 5);
  assert.match(event.id, /^auto:下单:1795132800005:[0-9a-f]{16}$/);
  const same = tw.track({ type: '下单', ts: NOW + 5, props: { amount: 1 } });
  assert.deepEqual([same.added, same.duplicates, same.warnings], [0, 1, []], 'no warning: a missing id is normal for track');
  clock.now = NOW + 6;
  assert.equal(tw.track({ type: '下单', props: { amount: 1 } }).added, 1, 'a later identical event is a new event');
  assert.equal(tw.track({ type: '下单', ts: (NOW + 7) / 1000 }).warnings[0].path, '/ts', 'seconds are read as ms, with a warning');
});

test('trackMany adds the usable events and reports the others with their index paths', async () => {
  const { tw } = await runtime();
  const r = tw.trackMany([
    { id: 'a', type: '浏览', ts: NOW },
    { id: 'b', ts: NOW },
    null,
    { id: 'c', type: '下单', ts: 'yesterday' },
    { id: 'd', type: '下单', ts: NOW, props: { amount: 3 } },
  ]);
  assert.equal(r.ok, false);
  assert.equal(r.added, 2);
  assert.deepEqual(r.errors.map((e) => [e.code, e.path]), [
    ['wrong_argument_type', '/1/type'], ['wrong_argument_type', '/2'], ['wrong_argument_type', '/3/ts'],
  ]);
  assert.deepEqual(r.changes.entered, ['browser', 'buyer', 'spend', 'customer']);
  const single = tw.track({ id: 'e', type: '' });
  assert.deepEqual(single.errors.map((e) => e.path), ['/type'], 'a single event has paths without an index');
  assert.equal(tw.trackMany('x').ok, false);
  assert.equal(tw.track({ id: 'f', type: '下单', props: { n: 1n } }).errors[0].code, 'invalid_json');
  // NaN and ±Infinity are refused like text, not stored as "now" (JSON would
  // have made them null); the others in the batch are still tracked.
  for (const ts of [NaN, Infinity, -Infinity]) {
    const one = tw.track({ id: `nan-${ts}`, type: '下单', ts });
    assert.deepEqual([one.ok, one.added, one.errors.map((e) => [e.code, e.path])], [false, 0, [['wrong_argument_type', '/ts']]]);
    assert.match(one.errors[0].message, /"ts" must be a number of milliseconds since 1970/);
  }
  const mixed = tw.trackMany([{ id: 'g', type: '浏览', ts: NOW }, { id: 'h', type: '浏览', ts: NaN }]);
  assert.deepEqual([mixed.added, mixed.errors.map((e) => e.path)], [1, ['/1/ts']]);
  assert.ok(!tw.getProfile().events.some((e) => e.id.startsWith('nan-') || e.id === 'h'));
  assert.deepEqual(ids(tw), ['browser', 'buyer', 'spend', 'customer'], 'bad events leave the state usable');
});

test('re-evaluation after an event touches only the tags its type can affect; tags() later catches up with time', async () => {
  const { tw, clock, seen } = await runtime();
  assert.ok(!ids(tw).includes('after_launch'));
  clock.now = NOW + 2 * DAY; // after_launch now holds, but nothing has looked yet
  const r = tw.track({ id: 'v', type: '浏览' });
  assert.deepEqual(r.changes.entered, ['browser', 'prospect'], 'the time-only tag was not re-evaluated by a 浏览 event');
  assert.deepEqual(ids(tw), ['browser', 'prospect', 'after_launch'], 'tags() evaluates everything at its time');
  assert.deepEqual(seen.at(-1), { entered: ['after_launch'], left: [], changed: [] }, 'and tells listeners what time changed');
  const count = seen.length;
  tw.tags();
  tw.tagDecisions();
  assert.equal(seen.length, count, 'the same time again: served from the last evaluation, nothing new');
  clock.now = NOW + 10 * DAY;
  assert.deepEqual(ids(tw), ['after_launch'], 'the 浏览 event left the 7-day window');
  assert.deepEqual(seen.at(-1), { entered: [], left: ['browser', 'prospect'], changed: [] });
});

test('tags({ now }) evaluates at the given time without waiting for the clock', async () => {
  const { tw } = await runtime();
  tw.track({ id: 'v', type: '浏览', ts: NOW });
  assert.deepEqual(ids(tw, { now: NOW + 7 * DAY }), ['browser', 'prospect', 'after_launch']);
  assert.deepEqual(ids(tw, { now: new Date(NOW + 7 * DAY + 1) }), ['after_launch']);
  assert.deepEqual(ids(tw), ['browser', 'prospect']);
});

test('listeners hear about loadCatalog, setProfile and setPurposes too, and stop after unsubscribing', async () => {
  const { tw, seen } = await runtime();
  tw.setProfile({ user_id: 'u', events: [{ id: 'o', type: '下单', ts: NOW, props: { amount: 9 } }] });
  assert.deepEqual(seen.at(-1), { entered: ['buyer', 'spend', 'customer'], left: [], changed: [] });
  tw.loadCatalog({ tagwise: 1, tags: [CATALOG.tags[1], { id: 'vip', name: '会员', when: { '>': [{ tag_value: ['buyer'] }, 0] } }] });
  assert.deepEqual(seen.at(-1), { entered: ['vip'], left: ['spend', 'customer'], changed: [] }, 'matched by id across catalogs');
  tw.setPurposes(['security']);
  assert.deepEqual(seen.at(-1), { entered: [], left: ['buyer', 'vip'], changed: [] });

  const other = [];
  const off = tw.onTagsChanged((c) => other.push(c));
  const twice = tw.onTagsChanged((c) => other.push(c));
  tw.setPurposes(['personalization']);
  assert.equal(other.length, 0, 'the order was deleted when personalization went off: nothing comes back');
  tw.setProfile({ user_id: 'u', events: [{ id: 'o', type: '下单', ts: NOW, props: { amount: 9 } }] });
  assert.equal(other.length, 2);
  off();
  off();
  twice();
  tw.setPurposes([]);
  assert.equal(other.length, 2, 'unsubscribed');
  assert.equal(seen.length, 5, 'the first listener still hears');
  assert.throws(() => tw.onTagsChanged('nope'), TypeError);
});

test('events tracked before any catalog is loaded count once a catalog arrives', async () => {
  const tw = await createTagwise({ clock: () => NOW });
  assert.deepEqual(tw.tags(), []);
  tw.trackMany([{ id: 'o', type: '下单', props: { amount: 4 } }, { id: 'v', type: '浏览' }]);
  assert.deepEqual(tw.tags(), [], 'no catalog, no tags');
  const seen = [];
  tw.onTagsChanged((c) => seen.push(c));
  tw.loadCatalog(CATALOG);
  assert.deepEqual(seen, [{ entered: ['browser', 'buyer', 'spend', 'customer'], left: [], changed: [] }]);
});

test('past 5,000 events the oldest are folded into day rollups and aggregates stay correct', async () => {
  const { tw } = await runtime();
  const events = Array.from({ length: 5_200 }, (_, i) => ({ id: `o${i}`, type: '下单', ts: NOW - 60 * DAY + i * 1000, props: { amount: 1 } }));
  const r = tw.trackMany(events);
  assert.equal(r.added, 5_200);
  const stored = tw.getProfile();
  assert.ok(stored.events.length <= 5_000, `${stored.events.length} events kept`);
  assert.ok(stored.rollups.length > 0);
  assert.equal(tw.tags().find((t) => t.id === 'spend').value, 5_200, 'the sum counts folded events through their rollups');
  assert.equal(tw.track({ id: 'o0', type: '下单', ts: NOW - 60 * DAY, props: { amount: 1 } }).added, 0, 'a folded event re-delivered is still a duplicate');
});

test('setProfile and loadCatalog read JSON text and UTF-8 bytes as they are, with the same result as objects', async () => {
  const profile = {
    user_id: '用户-1',
    events: [
      { id: 'o1', type: '下单', ts: NOW - 2 * DAY, props: { amount: 30 } },
      { id: 'o2', type: '下单', ts: NOW - DAY, props: { amount: 12.5 } },
      { id: 'v1', type: '浏览', ts: NOW - DAY },
    ],
  };
  const text = JSON.stringify(profile);
  const bytes = new TextEncoder().encode(text);
  const pairs = (tw) => tw.tags().map((t) => [t.id, t.value]);
  const expected = await (async () => { const { tw } = await runtime(); tw.setProfile(profile); return pairs(tw); })();
  assert.deepEqual(expected, [['browser', true], ['buyer', true], ['spend', 42.5], ['customer', true]]);
  // A byte view inside a larger buffer reads only its own bytes.
  const padded = new Uint8Array(bytes.length + 8).fill(0x20);
  padded.set(bytes, 4);
  for (const input of [text, bytes, bytes.buffer, padded.subarray(4, 4 + bytes.length), new DataView(padded.buffer, 4, bytes.length)]) {
    const { tw } = await runtime();
    const r = tw.setProfile(input);
    assert.deepEqual([r.ok, r.errors], [true, []], `setProfile(${Object.prototype.toString.call(input)})`);
    assert.deepEqual(pairs(tw), expected);
  }
  // The catalog the same way; the bytes are copied (reusing the buffer later changes nothing).
  const clock = { now: NOW };
  const tw = await createTagwise({ clock: () => clock.now });
  const catalogBytes = new TextEncoder().encode(JSON.stringify(CATALOG));
  assert.equal(tw.loadCatalog(catalogBytes).ok, true);
  catalogBytes.fill(0x20);
  tw.setProfile(bytes);
  assert.deepEqual(pairs(tw), expected);
  // Bad bytes are located errors, and the profile held stays.
  const bad = tw.setProfile(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]));
  assert.equal(bad.ok, false);
  assert.match(bad.errors[0].message, /UTF-8|utf-8/);
  assert.deepEqual(pairs(tw), expected);
  const notJson = tw.setProfile('{"user_id": ');
  assert.equal(notJson.ok, false);
  assert.deepEqual(pairs(tw), expected);
});
