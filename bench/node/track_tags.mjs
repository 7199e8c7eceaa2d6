// The page's and SSR's hot path after the first load: one track() then
// tags(), for a visitor with the first_load benchmark's 1,000-event profile
// and 50-tag catalog (bench/browser/startup-data.mjs), at a fixed time. Prints
// microseconds per track + tags and per catalog tag, for each round of N calls
// (the profile grows by N events a round). A benchmark, not a test.
//
//   node bench/node/track_tags.mjs [--rounds 5] [--calls 2000]
//
// Issue 19 asks tags() after track() to be as fast as json-logic-js's one
// rule on one record (~0.5 us in bench/node/rules_vs_peers.mjs) per tag.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';

import { createTagwise } from 'tagwise';
import { NOW, buildCatalog, buildProfile } from '../browser/startup-data.mjs';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    calls: { type: 'string', default: '2000' },
  },
});
const CALLS = Number(args.calls);

const tw = await createTagwise({ clock: () => NOW });
const catalog = buildCatalog(JSON.parse(readFileSync(new URL('../../examples/retail-catalog.json', import.meta.url), 'utf8')));
const loaded = tw.loadCatalog(catalog, { now: NOW });
if (!loaded.ok) throw new Error(`catalog does not load: ${JSON.stringify(loaded.errors)}`);
const profile = buildProfile(NOW);
tw.setProfile(profile, { now: NOW });
console.log(`node ${process.version}: ${catalog.tags.length} tags, ${profile.events.length} events to start, ${tw.tags().length} tags held`);
let n = 0;
for (let round = 0; round < Number(args.rounds); round++) {
  const t0 = performance.now();
  for (let i = 0; i < CALLS; i++, n++) {
    tw.track({ id: `bench-${n}`, type: 'view_item', ts: NOW - 1000 + (n % 900), props: { item: '85123A', unit_price: 2.55, category: 'home' } });
    tw.tags();
  }
  const us = ((performance.now() - t0) * 1000) / CALLS;
  console.log(`round ${round}: ${us.toFixed(1)} us per track + tags, ${((us * 1000) / catalog.tags.length).toFixed(0)} ns per tag (${profile.events.length + n} events)`);
}
