// Soak benchmark: one visitor's event stream over 240 simulated days tracked
// through the Node runtime (createTagwise with the default retention, an
// injected clock), the same run tests/js/soak.test.mjs asserts on
// (tests/js/soak_support.mjs: generator, catalog, plain-JS reference).
//
//   node bench/node/soak.mjs [--events 1000000] [--chunk 2000] [--seed 20261120] [--single 20000] [--json]
//
// Prints, at each checkpoint (every 10 simulated days), the wasm linear
// memory, the JS heap after a full GC and the RSS, the stored profile's size
// (kept events, day rollups) and whether every tag equals the reference; then
// the wall time and throughput of the trackMany calls. --single N also times
// N one-event track() calls on the full (5,000-event) profile at the end: the
// per-call cost of an application that tracks events one at a time.
// A benchmark, not a test: it exits non-zero only if a tag differs from the
// reference or an event was lost.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createTagwise } from 'tagwise';

import { CATALOG, DAY, START, WASM_MEMORY_BYTES, runSoak } from '../../tests/js/soak_support.mjs';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    chunk: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '20261120' },
    single: { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
  },
});
const EVENTS = Number(args.events);
const CHUNK = Number(args.chunk);
const SINGLE = Number(args.single);
if (!(Number.isInteger(EVENTS) && EVENTS > 0)) throw new Error('--events must be a positive integer');
if (!(Number.isInteger(CHUNK) && CHUNK > 0 && CHUNK <= 4_000)) throw new Error('--chunk must be 1..4000 (late events must stay inside the kept 5,000)');

const MiB = 1024 * 1024;
const mib = (b) => (b / MiB).toFixed(1);
const clock = { now: START };
const wall0 = performance.now();
const tw = await createTagwise({ clock: () => clock.now });
const loaded = tw.loadCatalog(CATALOG);
if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
const startWasm = tw[WASM_MEMORY_BYTES];

const rows = [];
let mismatches = 0;
if (!args.json) {
  console.log(`soak: ${EVENTS.toLocaleString('en')} events over 240 days, trackMany chunks of ${CHUNK}; wasm memory at start ${mib(startWasm)} MiB`);
  console.log('day  date        wasm MiB  heap MiB  rss MiB  kept ev  rollups  events so far  tags');
}
const result = await runSoak({
  tw, clock, events: EVENTS, chunk: CHUNK, seed: Number(args.seed),
  onCheckpoint({ day, actual, expected, profile, memory, added }) {
    const same = JSON.stringify(actual) === JSON.stringify(expected);
    if (!same) mismatches += 1;
    const row = {
      day: day + 1,
      date: new Date(START + (day + 1) * DAY).toISOString().slice(0, 10),
      wasmBytes: memory.wasm,
      heapUsedBytes: memory.heapUsed,
      rssBytes: memory.rss,
      keptEvents: profile.events.length,
      rollups: profile.rollups.length,
      eventsSoFar: added,
      tagsMatch: same,
    };
    rows.push(row);
    if (!args.json) {
      console.log(`${String(row.day).padStart(3)}  ${row.date}  ${mib(row.wasmBytes).padStart(8)}  ${mib(row.heapUsedBytes).padStart(8)}  ${mib(row.rssBytes).padStart(7)}  ${String(row.keptEvents).padStart(7)}  ${String(row.rollups).padStart(7)}  ${String(row.eventsSoFar).padStart(13)}  ${same ? 'ok' : 'DIFFER'}`);
      if (!same) console.log(`     got ${JSON.stringify(actual)}\n     want ${JSON.stringify(expected)}`);
    }
  },
});
const wallMs = performance.now() - wall0;

let single = null;
if (SINGLE > 0) {
  const t0 = performance.now();
  const base = START + 240 * DAY;
  for (let i = 0; i < SINGLE; i++) {
    clock.now = base + i * 1000;
    tw.track({ id: `single-${i}`, type: 'view', ts: clock.now, props: { item: `sku-${i % 2000}` } });
  }
  const ms = performance.now() - t0;
  single = { calls: SINGLE, ms, perCallUs: (ms * 1000) / SINGLE };
}

const lost = result.added !== result.stats.events || result.duplicates !== result.stats.redeliveries || result.errors !== 0;
const summary = {
  events: result.stats.events,
  redeliveries: result.stats.redeliveries,
  lateEvents: result.stats.late,
  trackManyCalls: result.stats.batches,
  added: result.added,
  duplicates: result.duplicates,
  wallSeconds: wallMs / 1000,
  trackManySeconds: result.trackMs / 1000,
  eventsPerSecondInTrackMany: result.stats.events / (result.trackMs / 1000),
  eventsPerSecondWall: result.stats.events / (wallMs / 1000),
  checkpointSeconds: result.checkpointMs / 1000,
  wasmStartBytes: startWasm,
  checkpoints: rows,
  single,
};
if (args.json) {
  console.log(JSON.stringify(summary, null, 2));
} else {
  console.log(`added ${result.added} (of ${result.stats.events} generated), duplicates ${result.duplicates} (of ${result.stats.redeliveries} re-deliveries), ${result.stats.late} late, ${result.stats.batches} trackMany calls`);
  console.log(`wall ${summary.wallSeconds.toFixed(2)} s (generator + reference + checkpoints included); trackMany ${summary.trackManySeconds.toFixed(2)} s = ${Math.round(summary.eventsPerSecondInTrackMany).toLocaleString('en')} events/s; end to end ${Math.round(summary.eventsPerSecondWall).toLocaleString('en')} events/s; checkpoints (tags + getProfile) ${summary.checkpointSeconds.toFixed(2)} s`);
  if (single) console.log(`track() one event at a time on the full profile: ${single.calls} calls, ${single.perCallUs.toFixed(0)} µs per call (${Math.round(1e6 / single.perCallUs).toLocaleString('en')} events/s)`);
}
if (mismatches > 0 || lost) {
  console.error(`FAILED: ${mismatches} checkpoint(s) differ from the reference${lost ? '; events lost or miscounted' : ''}`);
  process.exitCode = 1;
}
