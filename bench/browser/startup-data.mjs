// Inputs of bench/browser/startup.mjs: a 50-tag catalog (the 32 tags of
// examples/retail-catalog.json plus 18 web-shop tags: page views, carts,
// searches, an exclusive spend band, parents, half-life decay, tag
// references, a logistic score) and one shopper's 1,000-event profile over
// the last 85 days, generated with a seeded PRNG so every run sees the same
// data. No imports from the package: Node and the page both use it.

import { prng } from '../prng.mjs';

const DAY = 86_400_000;

/** A fixed "now" (2026-11-23 09:00 UTC), so the tags do not drift between runs. */
export const NOW = Date.UTC(2026, 10, 23, 9, 0, 0);

const ev = (type, extra = {}) => ({ events: [{ type, ...extra }] });

/** The 18 tags added to the retail catalog's 32. */
export const WEB_SHOP_TAGS = [
  // Exclusive spend band over 90 days (highest priority that holds wins).
  { id: 'band_low', name: '低消费', dimension: 'value', group: 'spend_band', priority: 1,
    when: { '<': [ev('order_paid', { within: '90d', agg: 'sum', field: 'amount' }), 100] } },
  { id: 'band_mid', name: '中消费', dimension: 'value', group: 'spend_band', priority: 2,
    when: { '>=': [ev('order_paid', { within: '90d', agg: 'sum', field: 'amount' }), 100] } },
  { id: 'band_high', name: '高消费', dimension: 'value', group: 'spend_band', priority: 3,
    when: { '>=': [ev('order_paid', { within: '90d', agg: 'sum', field: 'amount' }), 1000] } },
  // Browsing behaviour.
  { id: 'browser', name: '浏览用户', dimension: 'behavior', when: ev('view_item', { within: '30d', agg: 'exists' }) },
  { id: 'heavy_browser', name: '重度浏览', dimension: 'behavior', parent: 'browser',
    when: { '>=': [ev('view_item', { within: '7d' }), 20] } },
  { id: 'cart_abandoner', name: '加购未下单', dimension: 'behavior', parent: 'browser', purpose: 'marketing',
    when: { and: [{ '>=': [ev('add_to_cart', { within: '7d' }), 1] }, { '!': ev('order_paid', { within: '7d', agg: 'exists' }) }] } },
  { id: 'searcher', name: '常用搜索', dimension: 'behavior', when: { '>=': [ev('search', { within: '30d' }), 3] } },
  { id: 'dormant_browser', name: '浏览沉寂', dimension: 'behavior',
    when: { and: [{ tag: ['browser'] }, { '>': [{ days_since: [ev('view_item', { agg: 'last_ts' })] }, 3] }] } },
  // Interests, with recency decay.
  { id: 'home_interest', name: '家居兴趣', dimension: 'preference',
    when: { '>=': [ev('view_item', { where: { '==': [{ var: 'category' }, 'home'] }, half_life: '7d' }), 5] } },
  { id: 'gift_buyer', name: '礼品买家', dimension: 'preference', parent: 'seasonal_shopper',
    when: { '>=': [ev('order_paid', { where: { in: ['GIFT', { var: 'description' }] } }), 3] } },
  { id: 'price_sensitive', name: '价格敏感', dimension: 'preference',
    when: { and: [{ tag: ['customer'] }, { '<': [ev('order_paid', { within: '90d', agg: 'avg', field: 'unit_price' }), 2] }] } },
  { id: 'premium_items', name: '偏好高价商品', dimension: 'preference',
    when: { '>=': [ev('order_paid', { agg: 'max', field: 'unit_price' }), 20] } },
  // Values and scores.
  { id: 'avg_line_value', name: '平均行金额', dimension: 'value', when: { tag: ['customer'] },
    value: { round: [ev('order_paid', { within: '90d', agg: 'avg', field: 'amount' }), 2] } },
  { id: 'engagement_score', name: '活跃度评分', dimension: 'value', purpose: 'analytics', when: { tag: ['browser'] },
    value: { round: [{ logistic: [-2, [0.05, ev('view_item', { within: '30d' })], [0.3, ev('order_paid', { within: '30d', agg: 'distinct', field: 'invoice' })]] }, 3] } },
  { id: 'multi_country', name: '多地区收货', dimension: 'basic',
    when: { '>=': [ev('order_paid', { agg: 'distinct', field: 'country' }), 2] } },
  // Risk and marketing.
  { id: 'recent_refund', name: '近期退款', dimension: 'risk', purpose: 'security',
    when: ev('order_refunded', { within: '30d', agg: 'exists' }) },
  { id: 'vip', name: 'VIP', dimension: 'value', core: true,
    when: { and: [{ tag: ['rfm_champion'] }, { tag: ['band_high'] }] } },
  { id: 'newsletter_target', name: '邮件营销对象', dimension: 'lifecycle', purpose: 'marketing',
    when: { and: [{ tag: ['customer'] }, { '!': { tag: ['lc_lost'] } }, { '!': { tag: ['refund_heavy'] } }] } },
];

/** retail-catalog.json (parsed) + the web-shop tags and their group: 50 tags. */
export function buildCatalog(retail) {
  return {
    ...retail,
    name: 'Online Retail + web shop — 50-tag start-up benchmark catalog',
    groups: [...retail.groups, { id: 'spend_band', name: '消费档位', exclusive: true }],
    tags: [...retail.tags, ...WEB_SHOP_TAGS],
  };
}

const ITEMS = [
  ['85123A', 'WHITE HANGING HEART T-LIGHT HOLDER', 2.55, 'home'],
  ['22423', 'REGENCY CAKESTAND 3 TIER', 12.75, 'kitchen'],
  ['85099B', 'JUMBO BAG RED RETROSPOT', 1.95, 'bags'],
  ['47566', 'PARTY BUNTING', 4.95, 'party'],
  ['20725', 'LUNCH BAG RED RETROSPOT', 1.65, 'bags'],
  ['84879', 'ASSORTED COLOUR BIRD ORNAMENT', 1.69, 'home'],
  ['22720', 'SET OF 3 CAKE TINS PANTRY DESIGN', 4.95, 'kitchen'],
  ['21212', 'PACK OF 72 RETROSPOT CAKE CASES', 0.55, 'kitchen'],
  ['22086', "PAPER CHAIN KIT 50'S CHRISTMAS", 2.95, 'christmas'],
  ['23084', 'RABBIT NIGHT LIGHT', 2.08, 'home'],
  ['22197', 'SMALL POPCORN HOLDER', 0.85, 'kitchen'],
  ['21034', 'REX CASH+CARRY JUMBO SHOPPER', 0.95, 'bags'],
  ['22960', 'JAM MAKING SET WITH JARS', 4.25, 'kitchen'],
  ['22114', 'HOT WATER BOTTLE TEA AND SYMPATHY', 3.95, 'home'],
  ['23203', 'JUMBO BAG VINTAGE DOILY', 2.08, 'bags'],
  ['22910', 'PAPER CHAIN KIT VINTAGE CHRISTMAS', 2.95, 'christmas'],
  ['21731', 'RED TOADSTOOL LED NIGHT LIGHT', 1.65, 'home'],
  ['22616', 'PACK OF 12 LONDON TISSUES', 0.29, 'gifts'],
  ['84946', 'ANTIQUE SILVER T-LIGHT GLASS', 1.25, 'home'],
  ['22699', 'ROSES REGENCY TEACUP AND SAUCER', 2.95, 'kitchen'],
  ['23298', 'SPOTTY BUNTING', 4.95, 'party'],
  ['22469', 'HEART OF WICKER SMALL', 1.65, 'home'],
  ['22111', 'SCOTTIE DOG HOT WATER BOTTLE', 4.95, 'home'],
  ['21977', 'PACK OF 60 PINK PAISLEY CAKE CASES', 0.55, 'kitchen'],
  ['22706', 'WRAP COWBOYS', 0.42, 'gifts'],
  ['22952', '60 CAKE CASES VINTAGE CHRISTMAS', 0.55, 'christmas'],
  ['21166', 'COOK WITH WINE METAL SIGN', 2.08, 'home'],
  ['23355', 'HOT WATER BOTTLE KEEP CALM', 4.95, 'home'],
  ['22502', 'PICNIC BASKET WICKER SMALL', 5.95, 'home'],
  ['22839', '3 TIER CAKE TIN GREEN AND CREAM', 14.95, 'kitchen'],
  ['21137', 'BLACK RECORD COVER FRAME', 3.75, 'home'],
  ['23245', 'SET OF 3 REGENCY CAKE TINS', 4.95, 'kitchen'],
  ['22355', 'CHARLOTTE BAG SUKI DESIGN', 0.85, 'bags'],
  ['22112', 'CHOCOLATE HOT WATER BOTTLE', 4.95, 'home'],
  ['22578', 'WOODEN STAR CHRISTMAS SCANDINAVIAN', 0.85, 'christmas'],
  ['22423G', 'GIFT BOX REGENCY CAKESTAND', 24.95, 'gifts'],
  ['23437', 'GIFT BAG BIRTHDAY', 0.65, 'gifts'],
  ['22910G', 'CHRISTMAS GIFT WRAP SET', 3.25, 'christmas'],
];
const SEARCHES = ['cake tins', 'hot water bottle', '圣诞装饰', 'bunting', 'jumbo bag', 't-light', 'gift wrap', '茶杯'];

/**
 * One shopper's profile: 1,000 events over the last 85 days before `now`
 * (610 item views, 110 add-to-carts, 80 searches, 180 paid order lines on
 * 24 invoices, 20 refunded lines on 3 invoices), sorted by time.
 */
export function buildProfile(now = NOW, count = 1000) {
  const rand = prng(20261123);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const ts = (maxDays) => now - Math.floor(rand() * maxDays * DAY) - 60_000;
  const events = [];
  const counts = { view_item: 610, add_to_cart: 110, search: 80 };
  for (const [type, n] of Object.entries(counts)) {
    for (let i = 0; i < Math.round((n * count) / 1000); i++) {
      const [item, description, price, category] = pick(ITEMS);
      const props = type === 'search' ? { query: pick(SEARCHES) } : { item, description, unit_price: price, category };
      events.push({ id: `${type}-${i}`, type, ts: ts(85), props });
    }
  }
  const invoices = Array.from({ length: 24 }, (_, i) => ({ no: String(581000 + i * 37), ts: ts(85) }));
  const paidLines = Math.round((180 * count) / 1000);
  for (let i = 0; i < paidLines; i++) {
    const inv = invoices[i % invoices.length];
    const [item, description, price, category] = pick(ITEMS);
    const quantity = [1, 2, 3, 4, 6, 12, 24][Math.floor(rand() * 7)];
    events.push({
      id: `${inv.no}/${i}`, type: 'order_paid', ts: inv.ts,
      props: { invoice: inv.no, item, description, category, quantity, unit_price: price,
        amount: Math.round(quantity * price * 100) / 100, country: i % 40 === 0 ? 'Germany' : 'France' },
    });
  }
  const refundLines = count - events.length;
  for (let i = 0; i < refundLines; i++) {
    const inv = `C${582000 + (i % 3)}`;
    const [item, description, price] = pick(ITEMS);
    events.push({
      id: `${inv}/${i}`, type: 'order_refunded', ts: now - (5 + (i % 3) * 20) * DAY,
      props: { invoice: inv, item, description, quantity: -1, unit_price: price, amount: -price, country: 'France' },
    });
  }
  events.sort((a, b) => a.ts - b.ts);
  return { user_id: '12680', attributes: { country: 'France', signup_at: now - 400 * DAY }, events };
}
