// The operator's offer report: the server keeps each visitor's synced offer
// records (shown / clicked / redeemed) while the visitor allows marketing,
// counts them per offer and per visitor (GET /api/offer-stats), gives rates
// only past a minimum of visitors shown, and forgets a visitor's records when
// marketing is withdrawn or the visitor is erased.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { createDemoServer } from '../../demo/server.mjs';
import { MIN_SHOWN, offerStats } from '../../demo/shop/offer_stats.mjs';
import { mergeOfferLog } from '../../demo/shop/visitors.mjs';

const DEFS = [{ id: 'welcome', name: '新人券' }, { id: 'game_discount', name: '游戏点卡 9 折' }];
const rec = (offer, action, at) => ({ offer, action, at });

describe('offer statistics', () => {
  it('counts actions and distinct visitors per offer; rates only from MIN_SHOWN visitors shown', () => {
    const visitors = [
      { offerLog: [rec('welcome', 'shown', 1), rec('welcome', 'shown', 2), rec('welcome', 'clicked', 3), rec('welcome', 'redeemed', 4)] },
      { offerLog: [rec('welcome', 'shown', 5), rec('retired_offer', 'shown', 6)] },
      { offerLog: [] },
      {},
    ];
    const s = offerStats(DEFS, visitors);
    assert.equal(s.visitors, 2);
    assert.equal(s.minShown, MIN_SHOWN);
    const [welcome, games] = s.offers;
    assert.deepEqual({ ...welcome, visitors: { ...welcome.visitors } }, {
      id: 'welcome', name: '新人券', shown: 3, clicked: 1, redeemed: 1,
      visitors: { shown: 2, clicked: 1, redeemed: 1 }, clickRate: null, redeemRate: null,
    });
    assert.equal(games.shown, 0);
    // Enough visitors: rates per visitor shown.
    const many = Array.from({ length: MIN_SHOWN }, (_, i) => ({
      offerLog: [rec('welcome', 'shown', i), rec('welcome', 'shown', i + 100), ...(i % 4 === 0 ? [rec('welcome', 'clicked', i + 200)] : []),
        ...(i % 10 === 0 ? [rec('welcome', 'redeemed', i + 300)] : [])],
    }));
    const w = offerStats(DEFS, many).offers[0];
    assert.equal(w.shown, 2 * MIN_SHOWN);
    assert.equal(w.clickRate, Math.ceil(MIN_SHOWN / 4) / MIN_SHOWN);
    assert.equal(w.redeemRate, Math.ceil(MIN_SHOWN / 10) / MIN_SHOWN);
  });

  it('the server\'s copy keeps each record once, whatever the browser pruned since', () => {
    const first = mergeOfferLog([], [rec('welcome', 'shown', 1), rec('welcome', 'shown', 2)]);
    const second = mergeOfferLog(first, [rec('welcome', 'shown', 2), rec('welcome', 'clicked', 3)]);
    assert.deepEqual(second, [rec('welcome', 'shown', 1), rec('welcome', 'shown', 2), rec('welcome', 'clicked', 3)]);
  });
});

describe('GET /api/offer-stats', () => {
  let demo;
  before(async () => { demo = await createDemoServer({ port: 0 }); });
  after(async () => { await demo.close(); });

  const cookieFor = async () => {
    const res = await fetch(demo.url);
    return res.headers.get('set-cookie').split(';')[0];
  };
  const sync = (cookie, purposes, offers) => fetch(new URL('/api/visitor', demo.url), {
    method: 'POST', headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ purposes, decided: true, profile: {}, cart: [], offers }),
  });
  const stats = async () => (await fetch(new URL('/api/offer-stats', demo.url))).json();
  const welcome = async () => (await stats()).offers.find((o) => o.id === 'welcome');
  const ALL = ['necessary', 'security', 'personalization', 'marketing', 'analytics'];

  it('counts what visitors synced, and forgets it on withdrawn marketing or erasure', async () => {
    const a = await cookieFor();
    const b = await cookieFor();
    assert.equal((await sync(a, ALL, [rec('welcome', 'shown', 10), rec('welcome', 'clicked', 11)])).status, 200);
    assert.equal((await sync(b, ALL, [rec('welcome', 'shown', 12)])).status, 200);
    // The browser later reports only its recent records: nothing is lost or counted twice.
    assert.equal((await sync(a, ALL, [rec('welcome', 'clicked', 11), rec('welcome', 'redeemed', 13)])).status, 200);
    let w = await welcome();
    assert.deepEqual([w.shown, w.clicked, w.redeemed], [2, 1, 1]);
    assert.deepEqual(w.visitors, { shown: 2, clicked: 1, redeemed: 1 });
    assert.equal((await stats()).visitors, 2);

    // b turns marketing off: its records go.
    await sync(b, ['necessary', 'security'], []);
    w = await welcome();
    assert.deepEqual(w.visitors, { shown: 1, clicked: 1, redeemed: 1 });
    // a is erased ("forget me").
    assert.equal((await fetch(new URL('/api/visitor', demo.url), { method: 'DELETE', headers: { cookie: a } })).status, 200);
    assert.equal((await stats()).visitors, 0);

    // Bad records are refused with what is expected.
    const bad = await sync(a, ALL, [{ offer: 'welcome', action: 'liked', at: 1 }]);
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error, /offers must be a list/);
  });
});
