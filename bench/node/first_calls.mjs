// First calls vs steady state of the session's hot path (a program, not a
// test), straight on a wasm module's VisitorSession with no package JS in
// between: loadCatalog(50 tags) + setProfile(1,000 events) + tags(), once
// per fresh session, N times in one process. The first rows are what a page
// pays (V8's baseline tier, functions compiled lazily on first call); the
// last ones the optimised code. Run it with V8 flags to separate the tiers:
//
//   node bench/node/first_calls.mjs [--module page|features|wasm] [--runs 12]
//   node --liftoff-only bench/node/first_calls.mjs      # baseline tier only
//   node --no-liftoff bench/node/first_calls.mjs        # optimizing tier only
//
// Every run loads the same catalog text, so loadCatalog after the first run
// is the module's catalog cache (tagwise/catalog_cache.h), as in a page's
// second instance.
//
// Data: bench/browser/startup-data.mjs (the first_load page's catalog and
// profile). Needs the modules built: bash tools/build.sh wasm-module.
//
// Where the time goes, by wasm function: relink the module with names kept
// (the same code plus a name section) into another directory and profile it:
//   mkdir -p /tmp/named && cd build-wasm && export NODE_PATH=/usr/share/nodejs &&
//   eval "$(sed -E 's# -o [^ ]+# -o /tmp/named/tagwise_page.mjs#' \
//     CMakeFiles/tagwise_page_wasm.dir/link.txt) --profiling-funcs" && cd ..
//   node --no-liftoff --cpu-prof --cpu-prof-dir=/tmp/prof bench/node/first_calls.mjs --dir /tmp/named --runs 60
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { pageModuleApi } from '../../js/page_abi.js';
import { NOW, buildCatalog, buildProfile } from '../browser/startup-data.mjs';

const { values: args } = parseArgs({
  options: {
    module: { type: 'string', default: 'page' },
    runs: { type: 'string', default: '12' },
    dir: { type: 'string' }, // where tagwise_<module>.{mjs,wasm} are; default js/dist
  },
});
const REPO = new URL('../..', import.meta.url).pathname;
const dist = args.dir ?? join(REPO, 'js/dist');
const glue = (await import(join(dist, `tagwise_${args.module}.mjs`))).default;
const raw = await glue({ wasmBinary: readFileSync(join(dist, `tagwise_${args.module}.wasm`)) });
// The page runtime exports a C ABI; js/page_abi.js gives it the embind modules' shape.
const module = args.module === 'page' ? pageModuleApi(raw) : raw;

const encoder = new TextEncoder();
const catalog = encoder.encode(JSON.stringify(buildCatalog(JSON.parse(readFileSync(join(REPO, 'examples/retail-catalog.json'), 'utf8')))));
const profile = encoder.encode(JSON.stringify(buildProfile(NOW)));
const copyIn = (bytes) => {
  const ptr = module._malloc(bytes.length);
  module.HEAPU8.set(bytes, ptr);
  return ptr;
};
const purposes = JSON.stringify(['necessary', 'security', 'personalization', 'marketing', 'analytics']);

console.log(`module tagwise_${args.module}.wasm; ms per call`);
console.log('run  loadCatalog  setProfile  tags');
for (let i = 0; i < Number(args.runs); i++) {
  const session = new module.VisitorSession(purposes);
  const c = copyIn(catalog);
  const p = copyIn(profile);
  const t0 = performance.now();
  const a = JSON.parse(session.loadCatalog(c, catalog.length, NOW));
  const t1 = performance.now();
  const b = JSON.parse(session.setProfile(p, profile.length, 0, NOW));
  const t2 = performance.now();
  const t = JSON.parse(session.tags(NOW, false));
  const t3 = performance.now();
  if (!a.ok || !b.ok || !t.ok) throw new Error('a call failed');
  module._free(c);
  module._free(p);
  session.delete();
  console.log(`${String(i).padStart(3)}  ${(t1 - t0).toFixed(2).padStart(11)}  ${(t2 - t1).toFixed(2).padStart(10)}  ${(t3 - t2).toFixed(2).padStart(4)}`);
}
