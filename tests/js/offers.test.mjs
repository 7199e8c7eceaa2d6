// tw.offers (issue 7): audiences by tag, caps per day/week/total and the
// user's daily cap across offers counted in the user's time zone (UTC+8 and
// UTC-5, across midnight), quiet hours spanning midnight, consent, once per
// user, exclusive groups, start/end, caps across reloads and two tabs at
// once, and clear errors for bad definitions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTagwise, memoryStorage, TagwiseError } from 'tagwise';

const HOUR = 3_600_000;
const MIN = 60_000;
const CN = 480; // UTC+8
const NY = -300; // UTC-5
/** ms of a local wall-clock time in a zone `offset` minutes east of UTC. */
const local = (offset, y, mo, d, h, mi = 0) => Date.UTC(y, mo - 1, d, h, mi) - offset * MIN;

const CATALOG = {
  tagwise: 1,
  tags: [
    { id: 'new_user', name: '新用户', purpose: 'personalization', when: { '==': [{ events: [{ type: 'order_paid' }] }, 0] } },
    { id: 'buyer', name: '买家', purpose: 'personalization', when: { '>=': [{ events: [{ type: 'order_paid' }] }, 1] } },
  ],
};

const OFFERS = {
  dailyCap: 2,
  offers: [
    { id: 'welcome', name: '新人专享券', audience: { tag: ['new_user'] }, priority: 10, once: 'redeemed', group: 'welcome', payload: { coupon: 'NEW10' } },
    { id: 'welcome_small', name: '新人小额券', audience: { tag: ['new_user'] }, priority: 5, group: 'welcome' },
    { id: 'flash', name: '限时秒杀', priority: 3, caps: { perDay: 1, perWeek: 2, total: 3 } },
    { id: 'night_push', name: '夜间推送', priority: 1, quietHours: { start: '22:00', end: '08:00' } },
    { id: 'vip_group', name: '加入会员群', audience: { tag: ['buyer'] }, once: true, priority: 8 },
  ],
};

async function open(extra = {}) {
  const clock = { now: local(CN, 2026, 11, 23, 12) };
  const tw = await createTagwise({ clock: () => clock.now, catalog: CATALOG, flushDelay: 5, onError: () => {}, ...extra });
  tw.offers.load(OFFERS);
  return { tw, clock };
}

const ids = (list) => list.map((o) => o.id);
const why = (list, id) => list.ineligible.find((o) => o.id === id)?.reasons ?? [];

test('ranked by priority, audiences by tag, one per exclusive group, reasons for the rest', async () => {
  const { tw } = await open({ storage: null, timeZoneOffset: CN });
  const list = tw.offers.eligible();
  assert.deepEqual(ids(list), ['welcome', 'flash'], 'the daily cap of 2 keeps the best two');
  assert.deepEqual(why(list, 'night_push'), ['daily_cap']);
  assert.deepEqual(list[0].payload, { coupon: 'NEW10' });
  assert.ok(list[0].reasons.includes('audience'));
  assert.deepEqual(why(list, 'welcome_small'), ['group']);
  assert.equal(list.ineligible.find((o) => o.id === 'welcome_small').details.groupWinner, 'welcome');
  assert.deepEqual(why(list, 'vip_group'), ['audience']);

  tw.track({ id: 'o1', type: 'order_paid', ts: local(CN, 2026, 11, 23, 11), props: {} });
  assert.deepEqual(ids(tw.offers.eligible()), ['vip_group', 'flash'], 'a buyer gets the group invitation instead of new-user offers');
});

for (const [zone, offset] of [['UTC+8', CN], ['UTC-5', NY]]) {
  test(`per-day and per-week caps count the user's local days and ISO weeks (${zone})`, async () => {
    const { tw, clock } = await open({ storage: null, timeZoneOffset: offset });
    const at = (d, h, mi = 0) => { clock.now = local(offset, 2026, 11, d, h, mi); };
    at(26, 23, 30); // Thursday 23:30 local
    tw.offers.record('flash', 'shown');
    at(26, 23, 59);
    assert.deepEqual(why(tw.offers.eligible(), 'flash'), ['cap_day'], 'same local day');
    at(27, 0, 1); // just after local midnight: a new day
    assert.ok(ids(tw.offers.eligible()).includes('flash'));
    tw.offers.record('flash', 'shown');
    at(28, 12);
    assert.deepEqual(why(tw.offers.eligible(), 'flash'), ['cap_week'], 'two this ISO week');
    at(30, 0, 5); // Monday 00:05 local: a new week
    const list = tw.offers.eligible();
    assert.ok(ids(list).includes('flash'));
    assert.deepEqual(list.find((o) => o.id === 'flash').caps.total, { used: 2, limit: 3 });
    tw.offers.record('flash', 'shown');
    at(31, 12);
    assert.ok(why(tw.offers.eligible(), 'flash').includes('cap_total'));
  });

  test(`quiet hours 22:00-08:00 span midnight in the user's zone (${zone})`, async () => {
    const { tw, clock } = await open({ storage: null });
    tw.offers.load({ offers: OFFERS.offers }); // no daily cap: only the quiet hours decide
    const ctx = { tzOffsetMinutes: offset };
    const at = (d, h, mi = 0) => { clock.now = local(offset, 2026, 11, d, h, mi); };
    at(23, 21, 59);
    assert.ok(ids(tw.offers.eligible(ctx)).includes('night_push'));
    at(23, 22, 0);
    const quiet = tw.offers.eligible(ctx).ineligible.find((o) => o.id === 'night_push');
    assert.deepEqual(quiet.reasons, ['quiet_hours']);
    assert.equal(quiet.details.nextAllowedAt, local(offset, 2026, 11, 24, 8));
    at(24, 3, 0);
    assert.deepEqual(why(tw.offers.eligible(ctx), 'night_push'), ['quiet_hours'], 'after midnight still quiet');
    at(24, 8, 0);
    assert.ok(ids(tw.offers.eligible(ctx)).includes('night_push'));
  });
}

test('the daily cap across offers: at most 2 shown per local day', async () => {
  const { tw, clock } = await open({ storage: null, timeZoneOffset: CN });
  tw.offers.record('welcome', 'shown');
  tw.offers.record('flash', 'shown');
  const list = tw.offers.eligible();
  assert.deepEqual(ids(list), []);
  assert.ok(why(list, 'night_push').includes('daily_cap'));
  clock.now = local(CN, 2026, 11, 24, 9);
  assert.equal(tw.offers.eligible().length, 2, 'only as many as the daily cap allows are offered');
});

test('once-per-user offers, start and end dates', async () => {
  const { tw, clock } = await open({ storage: null, timeZoneOffset: CN });
  tw.offers.record('welcome', 'redeemed');
  assert.deepEqual(why(tw.offers.eligible(), 'welcome'), ['once']);
  assert.ok(ids(tw.offers.eligible()).includes('welcome_small'), 'the group passes to the next offer');

  tw.offers.load([{ id: 'double11', start: '2026-11-11T00:00:00+08:00', end: '2026-11-12T00:00:00+08:00' }]);
  clock.now = local(CN, 2026, 11, 10, 23, 59);
  assert.deepEqual(why(tw.offers.eligible(), 'double11'), ['not_started']);
  clock.now = local(CN, 2026, 11, 11, 0, 0);
  assert.deepEqual(ids(tw.offers.eligible()), ['double11']);
  clock.now = local(CN, 2026, 11, 12, 0, 0);
  assert.deepEqual(why(tw.offers.eligible(), 'double11'), ['ended']);
});

test('marketing consent off: no offer is eligible and nothing is recorded', async () => {
  const { tw } = await open({ storage: null, timeZoneOffset: CN });
  tw.setPurposes(['necessary', 'personalization']);
  const list = tw.offers.eligible();
  assert.equal(list.length, 0);
  assert.ok(list.ineligible.every((o) => o.reasons.includes('consent')));
  assert.deepEqual(tw.offers.record('flash', 'shown'), { recorded: false, reason: 'consent', record: null });
  assert.deepEqual(tw.offers.history(), []);
});

test('withdrawing marketing consent erases the offer records', async () => {
  const { tw } = await open({ storage: memoryStorage(), timeZoneOffset: CN });
  tw.offers.record('flash', 'shown');
  assert.equal(tw.offers.history().length, 1);
  await tw.consent.set({ marketing: false });
  assert.deepEqual(tw.offers.history(), []);
});

test('caps hold across a reload and when two tabs record at the same moment', async () => {
  const storage = memoryStorage();
  const a = await open({ storage, timeZoneOffset: CN });
  const b = await open({ storage, timeZoneOffset: CN });
  a.tw.offers.record('flash', 'shown');
  b.tw.offers.record('night_push', 'shown');
  await Promise.all([a.tw.flush(), b.tw.flush()]); // both read-merge-write the one store at once
  const reloaded = await open({ storage, timeZoneOffset: CN });
  assert.deepEqual(reloaded.tw.offers.history().map((r) => r.offer).sort(), ['flash', 'night_push'],
    'nothing lost, nothing counted twice');
  assert.equal(reloaded.tw.offers.eligible().length, 0, 'the daily cap of 2 holds after a reload');
  // A tab merges the other's records with its next write.
  a.tw.offers.record('flash', 'clicked');
  await a.tw.flush();
  assert.deepEqual(a.tw.offers.history().map((r) => `${r.offer}:${r.action}`).sort(),
    ['flash:clicked', 'flash:shown', 'night_push:shown']);
  assert.equal(a.tw.offers.eligible().length, 0);
});

test('bad definitions and records are clear errors; the previous offers stay', async () => {
  const { tw } = await open({ storage: null, timeZoneOffset: CN });
  const bad = [
    [[{ id: 'x', start: '2026-12-01T00:00:00Z', end: '2026-11-01T00:00:00Z' }], '/0/end'],
    [{ offers: [{ id: 'x', caps: { perDay: 0 } }] }, '/offers/0/caps/perDay'],
    [{ offers: [{ id: 'x', quietHours: { start: '25:00', end: '08:00' } }] }, '/offers/0/quietHours/start'],
    [{ offers: [{ id: 'x', priorty: 3 }] }, '/offers/0/priorty'],
    [{ offers: [{ id: 'x' }, { id: 'x' }] }, '/offers/1/id'],
    [{ offers: [{ id: 'x', audience: { tag: ['nope'] } }] }, '/offers/0/audience'],
  ];
  for (const [defs, path] of bad) {
    assert.throws(() => tw.offers.load(defs), (e) => {
      assert.ok(e instanceof TagwiseError, String(e));
      assert.ok(e.errors.some((x) => x.path.startsWith(path)), `${path}: ${JSON.stringify(e.errors)}`);
      return true;
    });
  }
  assert.deepEqual(ids(tw.offers.eligible()), ['welcome', 'flash'], 'previous offers kept');
  assert.throws(() => tw.offers.record('flsh', 'shown'), (e) => e instanceof TagwiseError && /did you mean "flash"/.test(e.message));
  assert.throws(() => tw.offers.record('flash', 'viewed'), TypeError);
  assert.throws(() => tw.offers.eligible({ tzOffsetMinutes: 5000 }), (e) => e instanceof TagwiseError && e.errors[0].path === '/tzOffsetMinutes');
});
