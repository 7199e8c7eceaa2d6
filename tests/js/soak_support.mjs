// The soak run shared by tests/js/soak.test.mjs (asserts) and
// bench/node/soak.mjs (prints): one visitor's event stream over 240 simulated
// days, tracked through the Node runtime (createTagwise, default retention:
// 5,000 events / 90 days, older ones folded into day rollups), with tags over
// windowed aggregates checked at day boundaries against a plain-JS reference.
// Not a test file (node --test only runs *.test.mjs).
//
// The stream (seeded, deterministic):
//   days   0– 59  busy: the events of the run but the trickle below, spread
//                  over busy days by weekday and noise (~7,700 a day at 1M)
//   days  60–169  dormant: 30 events a day (views, searches, logins; no
//                  carts or purchases), so the 90-day age limit folds the
//                  busy history while fewer than 5,000 events are kept
//   days 170–239  busy again
// Within a day the events are in time order with distinct timestamps. The
// batches sent to trackMany also carry, to exercise dedupe and reordering:
// late events (0.3 %, sent in the next batch, so older than what precedes
// them), re-deliveries of a recent event (0.4 %) and of an old one (0.1 %,
// usually already folded into a rollup). A checkpoint closes the day: every
// event up to its midnight has been delivered, and tags are read at that
// midnight, so each window starts at a day boundary, where rollups are exact
// (DESIGN.md section 3; docs/catalog-and-tags.md: "windowed counts, sums and
// averages stay right at day granularity").
//
// The reference keeps per-day (and, for the 6-hour tags, per-hour) buckets of
// the events the stream generated (each once, re-deliveries not counted) and
// derives every tag's expected value and membership from them.
import { performance } from 'node:perf_hooks';

import { prng } from '../../bench/prng.mjs';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const START = Date.UTC(2026, 0, 5); // a Monday, 00:00 UTC
export const SOAK_DAYS = 240;
export const DORMANT_FROM = 60;
export const DORMANT_TO = 170; // exclusive
export const DORMANT_PER_DAY = 30;
/** Checkpoints close these days (index of the day; tags read at its end). */
export const CHECKPOINT_DAYS = Array.from({ length: SOAK_DAYS / 10 }, (_, i) => i * 10 + 9);
/** The runtime's default retention (docs/catalog-and-tags.md); the test asserts the stored profile keeps to it. */
export const MAX_EVENTS = 5_000;
export const MAX_AGE = 90 * DAY;
/** Non-public hook in js/tagwise.js: the wasm linear memory size in bytes. */
export const WASM_MEMORY_BYTES = Symbol.for('tagwise.wasmMemoryBytes');

export const TYPES = ['view', 'search', 'cart_add', 'purchase', 'login'];
const BUSY_MIX = [0.55, 0.12, 0.15, 0.10, 0.08]; // cumulative below
const DORMANT_MIX = [0.6, 0.25, 0, 0, 0.15];
const CATEGORIES = ['games', 'steam', 'books', 'music', 'gift_cards'];

const VIP_SPEND_90D = 5_000_000;
const ACTIVE_PURCHASES_30D = 20_000;

const value = (id, spec) => ({ id, name: id, dimension: 'behavior', when: true, value: { events: [spec] } });

/** Tags over windowed aggregates; every value and membership has a reference below. */
export const CATALOG = {
  tagwise: 1,
  groups: [{ id: 'tier', name: 'tier', exclusive: true }],
  tags: [
    value('purchases_7d', { type: 'purchase', within: '7d' }),
    value('purchases_30d', { type: 'purchase', within: '30d' }),
    value('purchases_90d', { type: 'purchase', within: '90d' }),
    value('purchases_all', { type: 'purchase' }),
    value('spend_7d', { type: 'purchase', within: '7d', agg: 'sum', field: 'amount' }),
    value('spend_30d', { type: 'purchase', within: '30d', agg: 'sum', field: 'amount' }),
    value('spend_90d', { type: 'purchase', within: '90d', agg: 'sum', field: 'amount' }),
    value('spend_all', { type: 'purchase', agg: 'sum', field: 'amount' }),
    value('avg_order_90d', { type: 'purchase', within: '90d', agg: 'avg', field: 'amount' }),
    value('cart_units_30d', { type: 'cart_add', within: '30d', agg: 'sum', field: 'qty' }),
    value('engaged_30d', { type: ['view', 'cart_add', 'purchase'], within: '30d' }),
    value('logins_14d', { type: 'login', within: '2w' }),
    value('events_all', {}),
    // `where` and `distinct` read the events' props, so only kept events count
    // (rollups have none): 6 hours hold far fewer than 5,000 events here.
    value('games_6h', { type: 'purchase', within: '6h', where: { '==': [{ var: 'category' }, 'games'] } }),
    value('categories_6h', { type: 'purchase', within: '6h', agg: 'distinct', field: 'category' }),
    { id: 'active_buyer', name: 'active_buyer', when: { '>=': [{ tag_value: ['purchases_30d'] }, ACTIVE_PURCHASES_30D] } },
    { id: 'vip', name: 'vip', group: 'tier', priority: 2, when: { '>=': [{ events: [{ type: 'purchase', within: '90d', agg: 'sum', field: 'amount' }] }, VIP_SPEND_90D] } },
    { id: 'regular', name: 'regular', group: 'tier', priority: 1, when: { '>=': [{ events: [{ type: 'purchase', within: '90d' }] }, 1] } },
    { id: 'lapsed', name: 'lapsed', when: { and: [{ '>=': [{ tag_value: ['purchases_all'] }, 1] }, { '==': [{ tag_value: ['purchases_7d'] }, 0] }] } },
  ],
};

function cumulative(mix) {
  let acc = 0;
  return mix.map((p) => (acc += p));
}

/** Events per day for a run of `total` events: exact sum, deterministic. */
export function dayPlan(total, seed) {
  const rand = prng(seed ^ 0x5eed);
  const counts = new Int32Array(SOAK_DAYS);
  const weights = new Float64Array(SOAK_DAYS);
  const trickle = Math.min(DORMANT_PER_DAY, Math.floor(total / (4 * (DORMANT_TO - DORMANT_FROM))));
  let rest = total;
  let weightSum = 0;
  for (let d = 0; d < SOAK_DAYS; d++) {
    if (d >= DORMANT_FROM && d < DORMANT_TO) {
      counts[d] = trickle;
      rest -= trickle;
    } else {
      const weekend = d % 7 >= 5 ? 1.3 : 1; // START is a Monday
      weights[d] = weekend * (0.8 + 0.4 * rand());
      weightSum += weights[d];
    }
  }
  let given = 0;
  for (let d = 0; d < SOAK_DAYS; d++) {
    if (weights[d] === 0) continue;
    counts[d] = Math.floor((weights[d] / weightSum) * rest);
    given += counts[d];
  }
  for (let d = 0; given < rest; d = (d + 1) % SOAK_DAYS) {
    if (weights[d] === 0) continue;
    counts[d] += 1;
    given += 1;
  }
  return counts;
}

/**
 * The deliveries of a run: yields { batch, fresh, now } for each trackMany
 * call (`fresh`: the events delivered for the first time, for the reference;
 * `now`: the runtime's clock at delivery, the newest ts in the batch) and
 * { checkpoint: day, at } after the last batch of a checkpoint day.
 * Counts: `stats` (passed in) gets events, redeliveries, late, batches.
 */
export function* deliveries({ events, seed = 20261120, chunk = 2_000, stats = {} }) {
  const plan = dayPlan(events, seed);
  const rand = prng(seed);
  const busy = cumulative(BUSY_MIX);
  const dormant = cumulative(DORMANT_MIX);
  const checkpoints = new Set(CHECKPOINT_DAYS);
  Object.assign(stats, { events: 0, redeliveries: 0, late: 0, batches: 0 });
  const recent = []; // ring of recently delivered events (re-delivered as is)
  const old = []; // ring of sampled delivered events, up to weeks old
  let seq = 0;
  let batch = [];
  let fresh = [];
  let held = []; // late events of the batch being built: sent with the next one
  let carried = [];

  function remember(list) {
    for (const e of list) {
      recent.push(e);
      if (recent.length > 64) recent.shift();
      if (rand() < 0.002) {
        if (old.length < 256) old.push(e);
        else old[Math.floor(rand() * old.length)] = e;
      }
    }
  }

  function emit(all) {
    const out = batch.concat(carried);
    const outFresh = fresh;
    carried = all ? [] : held;
    if (all) out.push(...held);
    held = [];
    batch = [];
    fresh = [];
    let now = -Infinity;
    for (const e of out) if (e.ts > now) now = e.ts;
    stats.batches += 1;
    return { batch: out, fresh: outFresh, now };
  }

  for (let d = 0; d < SOAK_DAYS; d++) {
    const k = plan[d];
    const dayStart = START + d * DAY;
    const mix = d >= DORMANT_FROM && d < DORMANT_TO ? dormant : busy;
    for (let i = 0; i < k; i++) {
      const ts = dayStart + Math.floor(((i + rand()) * DAY) / k);
      const u = rand();
      let t = 0;
      while (t < TYPES.length - 1 && u >= mix[t]) t++;
      const type = TYPES[t];
      let props;
      switch (type) {
        case 'view': props = { item: `sku-${Math.floor(rand() * 2_000)}` }; break;
        case 'search': props = { q: `q${Math.floor(rand() * 500)}` }; break;
        case 'cart_add': props = { item: `sku-${Math.floor(rand() * 2_000)}`, qty: 1 + Math.floor(rand() * 3) }; break;
        case 'purchase': props = {
          item: `sku-${Math.floor(rand() * 2_000)}`,
          amount: 1 + Math.floor(rand() * 400), // integers: sums are exact in any order
          category: CATEGORIES[Math.floor(rand() * CATEGORIES.length)],
        }; break;
        default: props = undefined;
      }
      const e = props === undefined ? { id: `e${seq}`, type, ts } : { id: `e${seq}`, type, ts, props };
      seq += 1;
      stats.events += 1;
      fresh.push(e);
      if (rand() < 0.003) {
        held.push(e);
        stats.late += 1;
      } else {
        batch.push(e);
      }
      const r = rand();
      if (r < 0.004 && recent.length > 0) {
        batch.push(recent[Math.floor(rand() * recent.length)]);
        stats.redeliveries += 1;
      } else if (r < 0.005 && old.length > 0) {
        batch.push(old[Math.floor(rand() * old.length)]);
        stats.redeliveries += 1;
      }
      if (batch.length >= chunk) {
        const b = emit(false);
        yield b;
        remember(b.fresh);
      }
    }
    if (checkpoints.has(d) || d === SOAK_DAYS - 1) {
      const b = emit(true);
      if (b.batch.length > 0) {
        yield b;
        remember(b.fresh);
      }
      if (checkpoints.has(d)) yield { checkpoint: d, at: dayStart + DAY };
    }
  }
}

/** Per-day and per-hour buckets of the generated events; expected tags at a day boundary. */
export class Reference {
  constructor() {
    this.count = Object.fromEntries(TYPES.map((t) => [t, new Float64Array(SOAK_DAYS)]));
    this.amount = new Float64Array(SOAK_DAYS);
    this.qty = new Float64Array(SOAK_DAYS);
    this.gamesByHour = new Float64Array(SOAK_DAYS * 24);
    this.categoriesByHour = new Uint8Array(SOAK_DAYS * 24); // bit mask
    this.total = 0;
  }

  add(events) {
    for (const e of events) {
      const day = Math.floor((e.ts - START) / DAY);
      const hour = Math.floor((e.ts - START) / HOUR);
      this.count[e.type][day] += 1;
      this.total += 1;
      if (e.type === 'purchase') {
        this.amount[day] += e.props.amount;
        if (e.props.category === 'games') this.gamesByHour[hour] += 1;
        this.categoriesByHour[hour] |= 1 << CATEGORIES.indexOf(e.props.category);
      } else if (e.type === 'cart_add') {
        this.qty[day] += e.props.qty;
      }
    }
  }

  /** Sum of a per-day series over the `days` days before the boundary `end` (a day index). */
  static window(series, end, days = end) {
    let s = 0;
    for (let d = Math.max(0, end - days); d < end; d++) s += series[d];
    return s;
  }

  /** { id: value } of the tags held at the end of day `day` (catalog order), as tw.tags() gives them. */
  expected(day) {
    const end = day + 1;
    const W = Reference.window;
    const purchases = this.count.purchase;
    const v = {
      purchases_7d: W(purchases, end, 7),
      purchases_30d: W(purchases, end, 30),
      purchases_90d: W(purchases, end, 90),
      purchases_all: W(purchases, end),
      spend_7d: W(this.amount, end, 7),
      spend_30d: W(this.amount, end, 30),
      spend_90d: W(this.amount, end, 90),
      spend_all: W(this.amount, end),
      avg_order_90d: null,
      cart_units_30d: W(this.qty, end, 30),
      engaged_30d: W(this.count.view, end, 30) + W(this.count.cart_add, end, 30) + W(purchases, end, 30),
      logins_14d: W(this.count.login, end, 14),
      events_all: TYPES.reduce((s, t) => s + W(this.count[t], end), 0),
      games_6h: W(this.gamesByHour, end * 24, 6),
      categories_6h: 0,
    };
    if (v.purchases_90d > 0) v.avg_order_90d = v.spend_90d / v.purchases_90d;
    let mask = 0;
    for (let h = end * 24 - 6; h < end * 24; h++) mask |= this.categoriesByHour[h];
    for (; mask !== 0; mask &= mask - 1) v.categories_6h += 1;
    if (v.purchases_30d >= ACTIVE_PURCHASES_30D) v.active_buyer = true;
    if (v.spend_90d >= VIP_SPEND_90D) v.vip = true;
    else if (v.purchases_90d >= 1) v.regular = true; // suppressed by vip in the exclusive group
    if (v.purchases_all >= 1 && v.purchases_7d === 0) v.lapsed = true;
    return v;
  }
}

/** Forces a full GC when it can (flag set at run time), so heap figures are comparable. */
export async function gcFunction() {
  try {
    const v8 = await import('node:v8');
    const vm = await import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc');
  } catch {
    return globalThis.gc ?? (() => {});
  }
}

/**
 * Runs the soak through `tw` (a fresh createTagwise instance whose clock reads
 * `clock.now`). At each checkpoint (after the day's events are all
 * delivered) sets the clock to the day's end and calls onCheckpoint({ day,
 * at, actual: { id: value } of tw.tags(), expected: the reference's, profile:
 * tw.getProfile() (null with profileAtCheckpoints false), memory: { wasm,
 * heapUsed, heapTotal, rss } in bytes after a full GC, added, duplicates: the
 * totals so far, reference }). Returns { stats, added, duplicates, errors,
 * trackMs, checkpointMs }.
 */
export async function runSoak({ tw, clock, events, chunk, seed, onCheckpoint, profileAtCheckpoints = true }) {
  const stats = {};
  const reference = new Reference();
  const gc = await gcFunction();
  let added = 0;
  let duplicates = 0;
  let errors = 0;
  let trackMs = 0;
  let checkpointMs = 0;
  for (const step of deliveries({ events, seed, chunk, stats })) {
    if (step.checkpoint === undefined) {
      clock.now = step.now;
      const t0 = performance.now();
      const r = tw.trackMany(step.batch);
      trackMs += performance.now() - t0;
      added += r.added;
      duplicates += r.duplicates;
      errors += r.errors.length;
      reference.add(step.fresh);
      continue;
    }
    const t0 = performance.now();
    clock.now = step.at;
    const actual = Object.fromEntries(tw.tags().map((t) => [t.id, t.value]));
    const expected = reference.expected(step.checkpoint);
    const profile = profileAtCheckpoints ? tw.getProfile() : null;
    checkpointMs += performance.now() - t0;
    gc();
    const m = process.memoryUsage();
    const memory = { wasm: tw[WASM_MEMORY_BYTES], heapUsed: m.heapUsed, heapTotal: m.heapTotal, rss: m.rss };
    onCheckpoint?.({ day: step.checkpoint, at: step.at, actual, expected, profile, memory, added, duplicates, reference });
  }
  return { stats, added, duplicates, errors, trackMs, checkpointMs };
}
