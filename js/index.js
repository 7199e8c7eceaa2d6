// Browser / bundler entry of the tagwise package ("default" export condition).
//
// Two wasm modules (README "How the .wasm loads and caches"; sizes in docs/benchmarks.md):
//   dist/tagwise_page.wasm  the page runtime: catalog and its rules, profile,
//                           store, consent, session. What createTagwise()
//                           fetches by default.
//   dist/tagwise_features.wasm  the full module: the runtime plus explain,
//                           ad-hoc rules, experiments, offers, recommendations,
//                           GrowthBook conditions, lint and the text form. Fetched (a separate chunk:
//                           dynamic import) on tw.ready(feature), or at once
//                           with createTagwise({ features: [...] }), together
//                           with the features' JavaScript (js/features.js,
//                           another dynamic import, in tagwise.js).
// Both are built for size (-Oz); Node's entry loads dist/tagwise_wasm.wasm,
// the same full module built for speed (-O3), as does options.wasmBinary.
// Each glue finds its .wasm next to itself (new URL(..., import.meta.url)),
// which Vite, webpack and plain <script type="module"> pages all resolve, and
// esbuild leaves as is (so the .wasm goes next to the bundle).
// options.wasmUrl / options.featuresWasmUrl override those URLs;
// options.wasmBinary (the full module's bytes, e.g. from "tagwise/wasm-inline")
// loads everything from memory with no .wasm request; options.wasmModule is
// the same module compiled (a WebAssembly.Module of tagwise/wasm/node.wasm:
// edge runtimes, workers). Load failures are TagwiseErrors (js/load.js).
import createTagwisePageModule from './dist/tagwise_page.mjs';
import { instantiateModule } from './load.js';
import { pageModuleApi } from './page_abi.js';
import { makeCreateTagwise } from './tagwise.js';

function load(options) {
  if (options.wasmBinary || options.wasmModule) return loadFull(options);
  return instantiateModule(createTagwisePageModule, { url: options.wasmUrl }).then(pageModuleApi);
}

async function loadFull(options) {
  if (options.wasmBinary || options.wasmModule) {
    // Node's full module (tagwise/wasm/node.wasm): bytes or compiled. The
    // glue then needs no URL and never evaluates new URL(..., import.meta.url),
    // which throws in bundles without import.meta (esbuild's IIFE/CJS output).
    const { default: createTagwiseModule } = await import('./dist/tagwise_wasm.mjs');
    return instantiateModule(createTagwiseModule, options.wasmModule
      ? { module: options.wasmModule }
      : { bytes: options.wasmBinary, what: 'options.wasmBinary' });
  }
  const { default: createTagwiseModule } = await import('./dist/tagwise_features.mjs');
  return instantiateModule(createTagwiseModule, { url: options.featuresWasmUrl });
}

function sourceKey(options) {
  if (options.wasmModule) return options.wasmModule;
  if (options.wasmBinary) return options.wasmBinary;
  if (options.wasmUrl) return `url:${options.wasmUrl}`;
  return 'default';
}

/** Loads the wasm module (once per wasm source) and returns a Tagwise instance. */
export const createTagwise = makeCreateTagwise(load, sourceKey, {
  defaultStorage: 'auto', defaultPurposes: ['necessary', 'security'], defaultSync: true, loadFull,
});
export { TagwiseError } from './errors.js';
export { indexedDBStorage, memoryStorage, webStorage } from './storage.js';
export { embedState, readEmbeddedState } from './ssr.js';
export { queueTagwise } from './queue.js';
