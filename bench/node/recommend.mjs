// Recommendation benchmark in Node (the wasm module, as SSR and the browser
// run it): tw.recommend({ k: 10 }) for a visitor whose profile holds 50 item
// events, over hints built from the whole retail log (3,659 items).
// Goal of issue 6: under 200 µs per call.
//
//   node bench/node/recommend.mjs [--calls 2000] [--json]
//
// Cycles through 64 real customers' 50 latest purchases (one instance per
// customer, profile set once); reports the median and p95 of per-call times
// over batches of 100 calls, plus loadHints and a cold visitor's list.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createTagwise } from 'tagwise';

import { buildHintFile, fiftyEventProfiles, readInteractions } from '../retail_hints.mjs';

const { values: args } = parseArgs({ options: { calls: { type: 'string', default: '2000' }, json: { type: 'boolean', default: false } } });
const CALLS = Number(args.calls);
const BATCH = 100;
const GOAL_US = 200;

const log = readInteractions();
const bytes = await buildHintFile(log);
const profiles = fiftyEventProfiles(log);
const now = log.at(-1).ts + 86_400_000;

const instances = [];
const loadTimes = [];
for (const p of profiles) {
  const tw = await createTagwise({ clock: () => now });
  const t0 = performance.now();
  tw.loadHints(bytes);
  loadTimes.push(performance.now() - t0);
  tw.setProfile(p);
  const first = tw.recommend({ k: 10 });
  if (first.length !== 10 || !['similar', 'bought_together'].includes(first[0].reasons[0].code)) {
    throw new Error(`expected a personal top-10 for ${p.user_id}: ${JSON.stringify(first[0])}`);
  }
  instances.push(tw);
}

function perCall(fn) {
  const samples = [];
  for (let done = 0; done < CALLS; done += BATCH) {
    const t0 = performance.now();
    for (let i = 0; i < BATCH; i++) fn(done + i);
    samples.push(((performance.now() - t0) * 1000) / BATCH);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], p95: samples[Math.min(samples.length - 1, Math.ceil(0.95 * samples.length) - 1)] };
}

for (let i = 0; i < 500; i++) instances[i % instances.length].recommend({ k: 10 }); // warm-up (JIT tiers)
const warm = perCall((i) => instances[i % instances.length].recommend({ k: 10 }));
const cold = await createTagwise({ clock: () => now });
cold.loadHints(bytes);
const coldList = perCall(() => cold.recommend({ k: 10 }));
loadTimes.sort((a, b) => a - b);

const result = {
  hintBytes: bytes.length,
  loadHintsMs: { median: loadTimes[Math.floor(loadTimes.length / 2)], first: loadTimes[0] },
  recommend50EventsUs: warm,
  recommendColdUs: coldList,
  goalUs: GOAL_US,
  node: process.version,
};
if (args.json) console.log(JSON.stringify(result));
console.log(`hint file ${bytes.length} bytes; loadHints median ${result.loadHintsMs.median.toFixed(2)} ms`);
console.log(`recommend top-10, 50-event profile: median ${warm.median.toFixed(1)} µs, p95 ${warm.p95.toFixed(1)} µs `
  + `(goal < ${GOAL_US} µs: ${warm.median < GOAL_US ? 'met' : 'NOT met'})`);
console.log(`recommend top-10, no events: median ${coldList.median.toFixed(1)} µs, p95 ${coldList.p95.toFixed(1)} µs`);
