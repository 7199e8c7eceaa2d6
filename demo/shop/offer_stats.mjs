// The operator's view of the offers: per offer, how often it was shown,
// clicked and redeemed, and by how many visitors, from the offer records the
// browsers synced (demo/shop/visitors.mjs keeps them per visitor, only while
// the visitor allows marketing, and drops them with "forget me"). Rates are
// per visitor (clicked / shown, redeemed / shown) and left out (null) while
// fewer than MIN_SHOWN visitors saw the offer: a rate over a handful of
// visitors says nothing.
export const MIN_SHOWN = 20;

/** { visitors, minShown, offers: [{ id, name, shown, clicked, redeemed, visitors: {shown, clicked, redeemed}, clickRate, redeemRate }] } */
export function offerStats(definitions, records) {
  const byId = new Map(definitions.map((d) => [d.id, {
    id: d.id, name: d.name ?? d.id, shown: 0, clicked: 0, redeemed: 0,
    visitors: { shown: 0, clicked: 0, redeemed: 0 }, clickRate: null, redeemRate: null,
  }]));
  let visitors = 0;
  for (const record of records) {
    const log = record.offerLog ?? [];
    if (log.length === 0) continue;
    visitors += 1;
    const reached = new Set(); // "offer\0action" this visitor did at least once
    for (const { offer, action } of log) {
      const row = byId.get(offer);
      if (row === undefined) continue; // an offer no longer defined
      row[action] += 1;
      reached.add(`${offer}\u0000${action}`);
    }
    for (const key of reached) {
      const [offer, action] = key.split('\u0000');
      byId.get(offer).visitors[action] += 1;
    }
  }
  for (const row of byId.values()) {
    if (row.visitors.shown >= MIN_SHOWN) {
      row.clickRate = row.visitors.clicked / row.visitors.shown;
      row.redeemRate = row.visitors.redeemed / row.visitors.shown;
    }
  }
  return { visitors, minShown: MIN_SHOWN, offers: [...byId.values()] };
}
