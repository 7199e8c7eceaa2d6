// queueTagwise: a page tracks at once, before the module has loaded, and the
// calls count once createTagwise() resolves -- with the time they were made.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTagwise, queueTagwise } from 'tagwise';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 5);

const CATALOG = {
  tagwise: 1,
  tags: [
    { id: 'browser', name: '浏览用户', dimension: 'behavior', when: { '>=': [{ events: [{ type: '浏览', within: '7d' }] }, 1] } },
    { id: 'buyer', name: '买家', dimension: 'behavior', purpose: 'necessary', when: { '>=': [{ events: [{ type: '下单' }] }, 1] } },
  ],
};

const ids = (tw) => tw.tags().map((t) => t.id);

test('calls made before createTagwise() resolves are replayed in order, with the time they were made', async () => {
  const clock = { now: NOW - 8 * DAY };
  const q = queueTagwise(createTagwise({ clock: () => clock.now }), { clock: () => clock.now });
  assert.equal(q.track({ id: 'old', type: '浏览' }), undefined); // at NOW - 8d: outside the 7-day window later
  clock.now = NOW - DAY;
  q.trackMany([{ id: 'o1', type: '下单' }, { id: 'v2', type: '浏览', ts: NOW - 9 * DAY }]);
  assert.equal(q.pending, 2);

  clock.now = NOW;
  const tw = await q.ready;
  assert.equal(q.pending, 0);
  assert.deepEqual(q.replayed.map((r) => r.added), [1, 2]);
  assert.equal(tw.loadCatalog(CATALOG).ok, true);
  // Had the first event been stamped at replay time (NOW), 浏览用户 would hold.
  assert.deepEqual(ids(tw), ['buyer']);

  // Once ready, calls go straight to the instance and return its answer.
  const r = q.track({ id: 'v3', type: '浏览' });
  assert.equal(r.added, 1);
  assert.deepEqual(r.changes.entered, ['browser']);
});

test('a queued consent change applies before the events queued after it', async () => {
  const q = queueTagwise(createTagwise({ clock: () => NOW }));
  q.setPurposes(['necessary']);
  q.track({ id: 'v1', type: '浏览', ts: NOW });
  q.track({ id: 'o1', type: '下单', ts: NOW });
  const tw = await q.ready;
  assert.deepEqual(tw.purposes, ['necessary']);
  assert.equal(q.replayed[0], undefined);
  // Before a catalog names them, event types serve personalization (the
  // default), which is off: neither event is recorded.
  assert.deepEqual(q.replayed.slice(1).map((r) => [r.added, r.withheld]), [[0, 1], [0, 1]]);
  assert.equal(tw.loadCatalog(CATALOG).ok, true);
  assert.deepEqual(ids(tw), []);
});

test('the queued events are copies: changing the object after track() changes nothing', async () => {
  const q = queueTagwise(createTagwise({ clock: () => NOW }));
  const event = { id: 'o1', type: '下单', ts: NOW };
  q.track(event);
  event.type = '浏览';
  const tw = await q.ready;
  assert.equal(tw.loadCatalog(CATALOG).ok, true);
  assert.deepEqual(ids(tw), ['buyer']);
});

test('when createTagwise() fails the queue is dropped and later calls throw its error', async () => {
  const q = queueTagwise(Promise.reject(new Error('the .wasm answered 404')));
  q.track({ type: '浏览' });
  await assert.rejects(q.ready, /404/);
  assert.equal(q.pending, 0);
  assert.throws(() => q.track({ type: '浏览' }), /404/);
});

test('bad arguments are refused at once, queued or not', async () => {
  assert.throws(() => queueTagwise({}), TypeError);
  const q = queueTagwise(createTagwise({ clock: () => NOW }));
  assert.throws(() => q.track(null), TypeError);
  assert.throws(() => q.trackMany({ type: '浏览' }), TypeError);
  assert.throws(() => q.trackMany([1]), TypeError);
  assert.throws(() => q.setPurposes('marketing'), TypeError);
  assert.equal(q.pending, 0);
  await q.ready;
});
