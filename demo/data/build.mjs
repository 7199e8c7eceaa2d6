#!/usr/bin/env node
// Builds the demo's data from the real UCI Online Retail file
// (../shared/data/online-retail/) into build-demo/ (gitignored; rebuilt when
// missing or older than this script):
//
//   products.json   the storefront's products: the most-bought retail items plus a
//                   handful of digital goods (game cards, gift cards, memberships),
//                   each {item, name, category, price, currency, digital, buyers}
//   shop.twh        the recommendation hint file, built by `tagwise hints` (the
//                   package's CLI, exactly as a shop would) from the purchases of
//                   those products plus a seeded log of digital-goods orders
//   customers.jsonl the operator console's preview sample: a fixed sample of real
//                   customers up to AS_OF as a tagwise event log recorded the way the
//                   storefront records orders: one order_paid per invoice {order, amount,
//                   count, items, country} (order_refunded per cancellation, amount
//                   positive) and one purchase per line {order, item, description,
//                   category, price, qty, amount}, plus one attributes line per customer
//                   (demo/console/catalog.json is written for it); `tagwise tag` reads it too
//   customers.json  {asOf, users, events, outcomes: {user: {orders, spend}}}: what each
//                   sampled customer did in the 30 days after AS_OF (the A/B backtest)
//
// Usage: node demo/data/build.mjs [--out DIR] [--force]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { categorize, cleanRecord, forEachRawRecord, parseInvoiceDate } from '../../tools/retail/to_events.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..');
export const RAW = join(REPO, '..', 'shared', 'data', 'online-retail', 'online_retail.csv');
export const DEFAULT_OUT = join(REPO, 'build-demo');

/** The console's "now": a month before the data ends, so outcomes exist for 30 days after. */
export const AS_OF = Date.UTC(2011, 10, 9); // 2011-11-09T00:00:00Z
const OUTCOME_DAYS = 30;
const DAY = 86_400_000;
const RETAIL_PRODUCTS = 60;
const SAMPLE_EVERY = 17; // every 17th customer id (sorted): ~257 of 4,372

/** Digital goods, as on a 发卡网/寄售 shop (prices in GBP like the retail data). */
export const DIGITAL_GOODS = [
  { item: 'D-STEAM-10', name: 'Steam 充值卡 £10', nameEn: 'Steam wallet card £10', category: 'GAME_CARD', price: 10 },
  { item: 'D-STEAM-25', name: 'Steam 充值卡 £25', nameEn: 'Steam wallet card £25', category: 'GAME_CARD', price: 25 },
  { item: 'D-GENSHIN-MOON', name: '原神 空月祝福', nameEn: 'Genshin Impact Welkin Moon', category: 'GAME_CARD', price: 4.99 },
  { item: 'D-HONOR-600', name: '王者荣耀 600 点券', nameEn: 'Honor of Kings 600 tokens', category: 'GAME_CARD', price: 6 },
  { item: 'D-APPLE-25', name: 'App Store 充值卡 £25', nameEn: 'App Store gift card £25', category: 'GIFT_CARD', price: 25 },
  { item: 'D-JD-100', name: '京东E卡 ¥100', nameEn: 'JD.com e-card ¥100', category: 'GIFT_CARD', price: 11 },
  { item: 'D-NETFLIX-1M', name: 'Netflix 1 个月会员', nameEn: 'Netflix 1 month', category: 'MEMBERSHIP', price: 10.99 },
  { item: 'D-IQIYI-VIP', name: '爱奇艺 VIP 月卡', nameEn: 'iQIYI VIP monthly', category: 'MEMBERSHIP', price: 2.99 },
];

function titleCase(text) {
  return text.toLowerCase().replace(/\b([a-z])/g, (c) => c.toUpperCase());
}

/** A seeded order log for the digital goods: who buys which cards together. */
function digitalOrders(builtAt) {
  let seed = 20261123;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const baskets = [
    [['D-STEAM-10', 'D-STEAM-25'], 'China'], [['D-GENSHIN-MOON', 'D-HONOR-600'], 'China'],
    [['D-JD-100', 'D-IQIYI-VIP'], 'China'], [['D-APPLE-25', 'D-NETFLIX-1M'], 'United Kingdom'],
    [['D-STEAM-10', 'D-GENSHIN-MOON'], 'China'], [['D-NETFLIX-1M'], 'United Kingdom'],
  ];
  const events = [];
  for (let u = 0; u < 300; u++) {
    const [items, country] = baskets[Math.floor(rand() * baskets.length)];
    const ts = builtAt - Math.floor(rand() * 60) * DAY;
    for (const item of items) {
      events.push({ user_id: `d${u}`, type: 'purchase', ts, props: { item, order: `d-o${u}`, country } });
    }
  }
  return events;
}

export async function buildDemoData({ out = DEFAULT_OUT, force = false } = {}) {
  const stamp = join(out, 'customers.json');
  if (!force && existsSync(stamp) && statSync(stamp).mtimeMs > statSync(fileURLToPath(import.meta.url)).mtimeMs) {
    return { skipped: true, out };
  }
  mkdirSync(out, { recursive: true });

  // One pass over the raw file: the kept purchase lines (for products and hints)
  // and every raw line of the sampled customers (for the console sample).
  const purchases = [];
  const customers = new Map(); // user → raw rows
  let row = 0;
  await forEachRawRecord(RAW, (fields, lineNo) => {
    const line = cleanRecord(fields, row);
    row += 1;
    if (typeof line !== 'string') purchases.push(line);
    const customerId = fields[6]?.trim();
    if (!customerId) return;
    const user = String(Math.trunc(Number(customerId)));
    let rows = customers.get(user);
    if (!rows) customers.set(user, (rows = []));
    rows.push({ fields, lineNo });
  });

  // Products: the most-bought items by distinct buyers (ties by id).
  const byItem = new Map();
  for (const p of purchases) {
    let e = byItem.get(p.item);
    if (!e) byItem.set(p.item, (e = { buyers: new Set(), names: new Map(), prices: [] }));
    e.buyers.add(p.user);
    e.names.set(p.description, (e.names.get(p.description) ?? 0) + 1);
    e.prices.push(p.price);
  }
  const top = [...byItem.entries()]
    .sort((a, b) => b[1].buyers.size - a[1].buyers.size || (a[0] < b[0] ? -1 : 1))
    .slice(0, RETAIL_PRODUCTS);
  const products = top.map(([item, e]) => {
    const name = [...e.names.entries()].sort((a, b) => b[1] - a[1])[0][0];
    const prices = e.prices.sort((a, b) => a - b);
    return {
      item, name: titleCase(name), category: categorize(name), price: prices[prices.length >> 1],
      currency: 'GBP', digital: false, buyers: e.buyers.size,
    };
  });
  for (const d of DIGITAL_GOODS) products.push({ ...d, currency: 'GBP', digital: true, buyers: 0 });
  writeFileSync(join(out, 'products.json'), `${JSON.stringify(products, null, 1)}\n`);

  // Hints: purchases of the storefront's products + the digital order log.
  const keep = new Set(products.map((p) => p.item));
  const builtAt = Date.UTC(2011, 11, 10);
  const hintEvents = purchases.filter((p) => keep.has(p.item)).map((p) => ({
    user_id: p.user, type: 'purchase', ts: p.ts, props: { item: p.item, order: p.order, country: p.country },
  }));
  hintEvents.push(...digitalOrders(builtAt));
  writeFileSync(join(out, 'hint-events.jsonl'), hintEvents.map((e) => JSON.stringify(e)).join('\n') + '\n');
  writeFileSync(join(out, 'items.jsonl'), products.map((p) => JSON.stringify({
    item: p.item, name: p.name, category: p.category, price: p.price,
  })).join('\n') + '\n');
  execFileSync(process.execPath, [join(REPO, 'js', 'cli.js'), 'hints', '--events', join(out, 'hint-events.jsonl'),
    '--items', join(out, 'items.jsonl'), '--segment', 'country=props.country', '--built-at', String(builtAt),
    '--out', join(out, 'shop.twh'), '--quiet'], { stdio: 'inherit' });

  // The console's sample: every SAMPLE_EVERY-th customer (by numeric id), raw lines
  // up to AS_OF as events; what they did in the following 30 days as outcomes.
  const ids = [...customers.keys()].sort((a, b) => Number(a) - Number(b)).filter((_, i) => i % SAMPLE_EVERY === 0);
  const lines = [];
  const outcomes = {};
  let events = 0;
  for (const user of ids) {
    let country = null;
    const orders = new Set();
    let spend = 0;
    const invoices = new Map(); // invoice → { ts, country, lines } before AS_OF, in file order
    for (const { fields, lineNo } of customers.get(user)) {
      const [invoice, stockCode, description, quantity, invoiceDate, unitPrice, , rowCountry] = fields;
      const ts = parseInvoiceDate(invoiceDate);
      const q = Number(quantity);
      const price = Number(unitPrice);
      if (ts >= AS_OF) {
        if (ts < AS_OF + OUTCOME_DAYS * DAY && !invoice.startsWith('C')) {
          orders.add(invoice);
          spend += q * price;
        }
        continue;
      }
      country = rowCountry;
      let order = invoices.get(invoice);
      if (!order) invoices.set(invoice, (order = { ts, country: rowCountry, lines: [] }));
      order.lines.push({ lineNo, item: stockCode.trim().toUpperCase(), description: description.trim(), q, price });
    }
    // As the storefront records a checkout (demo/shop/public/cart.js): one
    // order_paid per invoice with its total, then one purchase per line. A
    // cancellation invoice ("C…") is one order_refunded, its amount refunded
    // as a positive number.
    for (const [invoice, order] of invoices) {
      const refund = invoice.startsWith('C');
      const sign = refund ? -1 : 1;
      const amount = order.lines.reduce((s, l) => s + l.q * l.price, 0) * sign;
      lines.push(JSON.stringify({
        user_id: user, id: invoice, type: refund ? 'order_refunded' : 'order_paid', ts: order.ts,
        props: {
          order: invoice, amount: Math.round(amount * 100) / 100, count: order.lines.reduce((n, l) => n + l.q, 0) * sign,
          items: [...new Set(order.lines.map((l) => l.item))], country: order.country,
        },
      }));
      events += 1;
      if (refund) continue;
      for (const l of order.lines) {
        lines.push(JSON.stringify({
          user_id: user, id: `${invoice}/${l.lineNo}`, type: 'purchase', ts: order.ts,
          props: {
            order: invoice, item: l.item, description: l.description, category: categorize(l.description),
            price: l.price, qty: l.q, amount: Math.round(l.q * l.price * 100) / 100,
          },
        }));
        events += 1;
      }
    }
    if (country !== null) lines.push(JSON.stringify({ user_id: user, attributes: { country } }));
    outcomes[user] = { orders: orders.size, spend: Math.round(spend * 100) / 100 };
  }
  writeFileSync(join(out, 'customers.jsonl'), lines.join('\n') + '\n');
  const meta = { asOf: AS_OF, asOfIso: new Date(AS_OF).toISOString(), outcomeDays: OUTCOME_DAYS, users: ids, events, outcomes };
  writeFileSync(stamp, `${JSON.stringify(meta)}\n`);
  return { skipped: false, out, products: products.length, hintEvents: hintEvents.length, users: ids.length, events };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  const outAt = argv.indexOf('--out');
  const result = await buildDemoData({ out: outAt >= 0 ? argv[outAt + 1] : DEFAULT_OUT, force: argv.includes('--force') });
  process.stderr.write(`demo data: ${JSON.stringify(result)}\n`);
}
