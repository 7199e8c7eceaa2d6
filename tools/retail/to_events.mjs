#!/usr/bin/env node
// Converts the UCI Online Retail raw file (../shared/data/online-retail/online_retail.csv)
// into the inputs of the hint builder and of tools/sql/:
//   * an event log, JSON Lines, one line per kept purchase line:
//     {"user_id":"17850","type":"purchase","ts":<ms>,"props":{"item":"85123A",
//      "order":"536365","country":"United Kingdom","price":2.55,"qty":6}}
//   * an item catalogue, JSON Lines: {"item","name","category","price"}.
//
// The cleaning rules are the data set's (restated in docs/recommendations.md;
// the same as interactions.csv): a raw line is kept iff CustomerID is
// non-empty, InvoiceNo does not start with "C", Quantity > 0, UnitPrice > 0
// and StockCode (stripped, upper-cased) matches ^[0-9]{5}[A-Z]{0,2}$. With
// --first-purchase-only only each (user, item)'s first purchase (min (ts,
// row)) is written, i.e. exactly interactions.csv.
// Events are written in (ts, row) order so the log is chronological.
//
// Usage: node tools/retail/to_events.mjs --raw FILE --events OUT.jsonl --items OUT.jsonl [--first-purchase-only]
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

import { forEachCsvRecord } from '../../js/cli/csv.js';

const STOCK_CODE = /^[0-9]{5}[A-Z]{0,2}$/;

// Product-type keywords for the catalogue's `category`. The data has no
// categories, so this is a deliberately simple heuristic: the description is
// split into words and the FIRST keyword of this list (list order, not word
// order) that appears as a word, or as the word plus "S"/"ES", is the category;
// no match gives "OTHER". Specific kinds come before generic containers
// ("CAKE STAND" is a STAND, "LUNCH BAG" a BAG, "T-LIGHT HOLDER" a T-LIGHT).
export const CATEGORY_KEYWORDS = [
  'NECKLACE', 'BRACELET', 'EARRINGS', 'RING', 'CLOCK', 'LIGHTS', 'LANTERN', 'CANDLE',
  'T-LIGHT', 'MUG', 'CUP', 'PLATE', 'BOWL', 'DISH', 'BOTTLE', 'JAR',
  'CUTLERY', 'CUSHION', 'DOORMAT', 'MIRROR', 'FRAME', 'SIGN', 'TILE', 'CARD',
  'WRAP', 'RIBBON', 'NOTEBOOK', 'STICKER', 'PEN', 'PENCIL', 'DECORATION', 'GARLAND',
  'BUNTING', 'HOOK', 'KNOB', 'PURSE', 'STAND', 'TRAY', 'BASKET', 'TIN', 'BOX', 'BAG',
];

/** The category of a product description (see CATEGORY_KEYWORDS). */
export function categorize(description) {
  const words = new Set(description.toUpperCase().split(/[^A-Z0-9-]+/).filter(Boolean));
  for (const keyword of CATEGORY_KEYWORDS) {
    if (words.has(keyword) || words.has(`${keyword}S`) || words.has(`${keyword}ES`)) return keyword;
  }
  return 'OTHER';
}

/**
 * Calls onRecord(fields, line) for every data record of the raw file (header
 * and blank lines skipped; `line` is the record's first line), read with the
 * CLI's CSV reader (js/cli/csv.js). Throws on a quoted field that never ends.
 */
export async function forEachRawRecord(path, onRecord) {
  const { leftover } = await forEachCsvRecord(path, { onRecord });
  if (leftover !== null) throw new Error(`${path}: unterminated quoted field starting at line ${leftover.line}`);
}

/** "YYYY-MM-DD HH:MM:SS" shop-local time read as UTC, in ms (only order matters). */
export function parseInvoiceDate(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m) return NaN;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0));
}

/**
 * Applies the data set's cleaning rules (in their order) to one raw record.
 * Returns the purchase line, or the name of the rule that dropped it.
 */
export function cleanRecord(fields, row) {
  const [invoice, stockCode, description, quantity, invoiceDate, unitPrice, customerId, country] = fields;
  if (customerId === undefined || customerId.trim() === '') return 'no_customer';
  if (invoice.startsWith('C')) return 'cancellation';
  const qty = Number(quantity);
  const price = Number(unitPrice);
  if (!(qty > 0)) return 'non_positive_quantity';
  if (!(price > 0)) return 'non_positive_price';
  const item = stockCode.trim().toUpperCase();
  if (!STOCK_CODE.test(item)) return 'non_product_code';
  const ts = parseInvoiceDate(invoiceDate);
  if (Number.isNaN(ts)) throw new Error(`row ${row}: bad InvoiceDate ${JSON.stringify(invoiceDate)}`);
  // CustomerID is written as a float ("17850.0"); the user id is its integer string.
  const user = String(Math.trunc(Number(customerId)));
  return { row, user, item, ts, order: invoice.trim(), country, price, qty, description: description.trim() };
}

function median(sorted) {
  const n = sorted.length;
  return n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

// The mean of two pence prices can come out as 2.2800000000000002; prices have
// at most 3 meaningful decimals, so 4 decimals give the values items.csv shows.
function roundPrice(value) {
  return Math.round(value * 1e4) / 1e4;
}

/** The most frequent value; ties go to the one seen first (Counter.most_common's rule). */
function mostFrequent(counts) {
  let best = null;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount) { best = value; bestCount = count; }
  }
  return best;
}

/** Catalogue entries (sorted by item id) from all kept purchase lines. */
function buildCatalogue(lines) {
  const byItem = new Map();
  for (const line of lines) {
    let entry = byItem.get(line.item);
    if (!entry) { entry = { names: new Map(), prices: [] }; byItem.set(line.item, entry); }
    entry.names.set(line.description, (entry.names.get(line.description) ?? 0) + 1);
    entry.prices.push(line.price);
  }
  const ids = [...byItem.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return ids.map((item) => {
    const { names, prices } = byItem.get(item);
    const name = mostFrequent(names);
    return { item, name, category: categorize(name), price: roundPrice(median(prices.sort((a, b) => a - b))) };
  });
}

/** Keeps each (user, item)'s first purchase by (ts, row). */
function firstPurchases(lines) {
  const first = new Map();
  for (const line of lines) {
    const key = `${line.user}\u0000${line.item}`;
    const seen = first.get(key);
    if (!seen || line.ts < seen.ts || (line.ts === seen.ts && line.row < seen.row)) first.set(key, line);
  }
  return [...first.values()];
}

function eventJson(line) {
  return JSON.stringify({
    user_id: line.user,
    type: 'purchase',
    ts: line.ts,
    props: { item: line.item, order: line.order, country: line.country, price: line.price, qty: line.qty },
  });
}

/** Writes strings as lines, in batches (one write per line would be slow). */
async function writeLines(path, values, toLine) {
  const out = createWriteStream(path, { encoding: 'utf8' });
  const BATCH = 4096;
  for (let i = 0; i < values.length; i += BATCH) {
    const chunk = values.slice(i, i + BATCH).map((v) => `${toLine(v)}\n`).join('');
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/**
 * Reads and cleans the raw file: { rawRows, kept: [purchase line], dropped: {rule: n} }.
 * convertRetail takes the result in place of a path, to write several outputs from one read.
 */
export async function readRetail(raw) {
  const kept = [];
  const dropped = {};
  let row = 0;
  await forEachRawRecord(raw, (fields) => {
    const line = cleanRecord(fields, row);
    row += 1;
    if (typeof line === 'string') dropped[line] = (dropped[line] ?? 0) + 1;
    else kept.push(line);
  });
  return { rawRows: row, kept, dropped };
}

/**
 * Converts the raw file (`raw`: a path, or what readRetail returned). `events`
 * and `items` are output paths (either may be omitted). Returns counts:
 * { rawRows, kept, dropped: {rule: n}, events, items }.
 */
export async function convertRetail({ raw, events, items, firstPurchaseOnly = false }) {
  const { rawRows, kept, dropped } = typeof raw === 'string' ? await readRetail(raw) : raw;
  const written = firstPurchaseOnly ? firstPurchases(kept) : kept.slice();
  written.sort((a, b) => a.ts - b.ts || a.row - b.row);
  const catalogue = buildCatalogue(kept);
  if (events) await writeLines(events, written, eventJson);
  if (items) await writeLines(items, catalogue, (entry) => JSON.stringify(entry));
  return { rawRows, kept: kept.length, dropped: { ...dropped }, events: written.length, items: catalogue.length };
}

function parseArgs(argv) {
  const args = { firstPurchaseOnly: false };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    if (flag === '--first-purchase-only') args.firstPurchaseOnly = true;
    else if (flag === '--raw' || flag === '--events' || flag === '--items') {
      if (i + 1 >= argv.length) throw new Error(`${flag} needs a value`);
      args[flag.slice(2)] = argv[++i];
    } else throw new Error(`unknown argument ${flag}`);
  }
  if (!args.raw || (!args.events && !args.items)) {
    throw new Error('usage: to_events.mjs --raw FILE --events OUT.jsonl --items OUT.jsonl [--first-purchase-only]');
  }
  return args;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const stats = await convertRetail(parseArgs(process.argv.slice(2)));
    process.stderr.write(`${JSON.stringify(stats)}\n`);
  } catch (error) {
    process.stderr.write(`to_events: ${error.message}\n`);
    process.exitCode = 1;
  }
}
