// Browser / bundler entry of the tagwise package ("default" export condition).
//
// Two wasm modules (README "Size of the page module"):
//   dist/tagwise_page.wasm  the page runtime: catalog, rules, profile, store,
//                           consent, session, explain. What createTagwise()
//                           fetches by default.
//   dist/tagwise_features.wasm  the full module: the runtime plus experiments,
//                           offers, recommendations, GrowthBook conditions,
//                           lint and the text form. Fetched (a separate chunk:
//                           dynamic import) on tw.ready(feature), or at once
//                           with createTagwise({ features: [...] }).
// Both are built for size (-Oz); Node's entry loads dist/tagwise_wasm.wasm,
// the same full module built for speed (-O3), as does options.wasmBinary.
// Each glue finds its .wasm next to itself (new URL(..., import.meta.url)),
// which Vite, webpack and plain <script type="module"> pages all resolve, and
// esbuild leaves as is (so the .wasm goes next to the bundle).
// options.wasmUrl / options.featuresWasmUrl override those URLs;
// options.wasmBinary (the full module's bytes, e.g. from "tagwise/wasm-inline")
// loads everything from memory with no .wasm request.
import createTagwisePageModule from './dist/tagwise_page.mjs';
import { makeCreateTagwise } from './tagwise.js';

function args(url) {
  // A URL of our own: the glue then never evaluates its new URL(..., import.meta.url).
  return url === undefined ? {} : { locateFile: (file, prefix) => (file.endsWith('.wasm') ? String(url) : prefix + file) };
}

function load(options) {
  if (options.wasmBinary) return loadFull(options);
  return createTagwisePageModule(args(options.wasmUrl));
}

async function loadFull(options) {
  if (options.wasmBinary) {
    const { default: createTagwiseModule } = await import('./dist/tagwise_wasm.mjs');
    // With the bytes at hand the glue needs no URL: a locateFile keeps it from
    // evaluating new URL(..., import.meta.url), which throws in bundles
    // without import.meta (esbuild's IIFE/CJS output).
    return createTagwiseModule({ wasmBinary: options.wasmBinary, locateFile: (file) => file });
  }
  const { default: createTagwiseModule } = await import('./dist/tagwise_features.mjs');
  return createTagwiseModule(args(options.featuresWasmUrl));
}

function sourceKey(options) {
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
