// Soak (issue 9): 1,000,000 events of one visitor, over 240 simulated days,
// through the Node runtime as a user runs it: createTagwise() with the default
// retention (5,000 events / 90 days, older events folded into per-day
// rollups), an injected clock that follows the events, trackMany in batches of
// 2,000 (one track() per event costs about 0.17 ms with this catalog: see
// bench/node/soak.mjs --single). The stream, the catalog and the plain-JS
// reference are in soak_support.mjs (shared with the benchmark).
//
// Asserts, at 24 checkpoints (every 10 days, at midnight):
//   * every tag equals the reference: purchase counts and spend over 7/30/90
//     days and all history, average order, cart units, multi-type and
//     all-event counts, 6-hour `where` / `distinct` aggregates, and the
//     memberships built on them (thresholds, an exclusive group) -- windows
//     that reach back into the folded history included;
//   * the stored profile keeps to the retention (<= 5,000 events, one rollup
//     per day and type at most) and still accounts for every event once:
//     kept events + rollup counts = events generated, per type, and the
//     amounts likewise;
// and over the run:
//   * nothing lost or double counted: trackMany added exactly the 1,000,000
//     events and reported every re-delivery as a duplicate;
//   * memory plateaus: the wasm linear memory does not grow in the second
//     half of the run (every checkpoint from the middle one on has the
//     middle one's size) and ends within one growth step (x1.25) of its size
//     after the first 10 days; the JS heap after a full GC grows by less than
//     8 MiB over the second half (500,000 events: < 17 bytes an event).
// No timing is asserted; wall time, throughput and the memory at each
// checkpoint are printed as test diagnostics.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { performance } from 'node:perf_hooks';
import { createTagwise } from 'tagwise';

import { CATALOG, CHECKPOINT_DAYS, DAY, MAX_EVENTS, Reference, START, TYPES, runSoak } from './soak_support.mjs';

const EVENTS = 1_000_000;
const CHUNK = 2_000;
const MiB = 1024 * 1024;

test(`soak: ${EVENTS.toLocaleString('en')} events through the Node runtime keep memory bounded and every windowed aggregate exact`, { timeout: 300_000 }, async (t) => {
  const wall0 = performance.now();
  const clock = { now: START };
  const tw = await createTagwise({ clock: () => clock.now }); // default retention, in-memory state
  const loaded = tw.loadCatalog(CATALOG);
  assert.equal(loaded.ok, true, JSON.stringify(loaded.errors));
  let notifications = 0;
  tw.onTagsChanged(() => { notifications += 1; });

  const rows = [];
  const seen = { vip: 0, notVip: 0, lapsed: 0, activeBuyer: 0, noPurchases90d: 0, ageFolded: 0 };
  const result = await runSoak({
    tw, clock, events: EVENTS, chunk: CHUNK,
    onCheckpoint({ day, actual, expected, profile, memory, added, reference }) {
      const when = `day ${day + 1} (${new Date(START + (day + 1) * DAY).toISOString().slice(0, 10)})`;
      assert.deepEqual(actual, expected, `${when}: tags differ from the reference`);

      // The stored profile keeps to the retention and counts every event once.
      assert.ok(profile.events.length <= MAX_EVENTS, `${when}: ${profile.events.length} events kept`);
      assert.ok(profile.rollups.length <= (day + 1) * TYPES.length, `${when}: ${profile.rollups.length} rollups`);
      const watermark = profile.compacted_through ?? -Infinity;
      assert.ok(profile.events.every((e) => e.ts > watermark), `${when}: a kept event at or before compacted_through`);
      for (const type of TYPES) {
        const kept = profile.events.filter((e) => e.type === type);
        const folded = profile.rollups.filter((r) => r.type === type);
        const count = kept.length + folded.reduce((s, r) => s + r.count, 0);
        assert.equal(count, Reference.window(reference.count[type], day + 1), `${when}: kept + folded ${type} events`);
        if (type === 'purchase') {
          const amount = kept.reduce((s, e) => s + e.props.amount, 0) + folded.reduce((s, r) => s + (r.sums.amount ?? 0), 0);
          assert.equal(amount, expected.spend_all, `${when}: kept + folded amounts`);
        }
      }
      const stored = profile.events.length + profile.rollups.reduce((s, r) => s + r.count, 0);
      assert.equal(stored, expected.events_all, `${when}: kept + folded events`);
      assert.equal(added, expected.events_all, `${when}: events added so far`);

      if (actual.vip) seen.vip += 1; else seen.notVip += 1;
      if (actual.lapsed) seen.lapsed += 1;
      if (actual.active_buyer) seen.activeBuyer += 1;
      if (actual.avg_order_90d === null) seen.noPurchases90d += 1;
      if (profile.events.length < MAX_EVENTS && profile.rollups.length > 0) seen.ageFolded += 1;
      rows.push({ day: day + 1, events: added, kept: profile.events.length, rollups: profile.rollups.length, ...memory });
    },
  });
  const wallMs = performance.now() - wall0;

  // Nothing lost, nothing counted twice.
  assert.equal(result.stats.events, EVENTS);
  assert.equal(result.errors, 0);
  assert.equal(result.added, EVENTS, 'every generated event was added once');
  assert.equal(result.duplicates, result.stats.redeliveries, 'every re-delivery (recent or long folded) was a duplicate');
  assert.ok(result.stats.redeliveries > 1_000 && result.stats.late > 1_000, 'the stream exercised dedupe and late events');
  assert.equal(rows.length, CHECKPOINT_DAYS.length);
  assert.equal(rows.at(-1).events, EVENTS);
  // The scenario went where it claims: memberships entered and left, the
  // dormant stretch emptied the 90-day window and the age limit folded events
  // while fewer than 5,000 were kept.
  assert.ok(seen.vip > 0 && seen.notVip > 0 && seen.lapsed > 0 && seen.activeBuyer > 0, JSON.stringify(seen));
  assert.ok(seen.noPurchases90d > 0 && seen.ageFolded > 0, JSON.stringify(seen));
  assert.ok(notifications > 0);

  // Memory plateaus (first checkpoint = after the 10-day warm-up, ~78,000 events).
  const first = rows[0];
  const mid = rows[Math.floor(rows.length / 2)];
  const last = rows.at(-1);
  for (const r of rows.slice(rows.indexOf(mid))) {
    assert.equal(r.wasm, mid.wasm, `wasm memory grew between day ${mid.day} (${mid.wasm} bytes) and day ${r.day} (${r.wasm} bytes)`);
  }
  assert.ok(last.wasm <= first.wasm * 1.25, `wasm memory ${first.wasm} -> ${last.wasm} bytes`);
  assert.ok(last.heapUsed <= mid.heapUsed + 8 * MiB, `JS heap ${mid.heapUsed} -> ${last.heapUsed} bytes`);

  const mib = (b) => (b / MiB).toFixed(1);
  t.diagnostic(`wall ${(wallMs / 1000).toFixed(1)} s; trackMany ${(result.trackMs / 1000).toFixed(1)} s for ${EVENTS} events in ${result.stats.batches} calls = ${Math.round(EVENTS / (result.trackMs / 1000))} events/s (${Math.round(EVENTS / (wallMs / 1000))} events/s end to end); ${result.stats.redeliveries} re-deliveries, ${result.stats.late} late events`);
  t.diagnostic('day   events  kept  rollups  wasm MiB  heapUsed MiB  rss MiB');
  for (const r of rows) {
    t.diagnostic(`${String(r.day).padStart(3)} ${String(r.events).padStart(8)} ${String(r.kept).padStart(5)} ${String(r.rollups).padStart(8)} ${mib(r.wasm).padStart(9)} ${mib(r.heapUsed).padStart(13)} ${mib(r.rss).padStart(8)}`);
  }
});
