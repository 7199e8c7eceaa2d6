// Browser / bundler entry of the tagwise package ("default" export condition).
// The Emscripten glue finds tagwise_wasm.wasm next to itself
// (new URL(..., import.meta.url)), which Vite, webpack and plain
// <script type="module"> pages all resolve, and esbuild leaves as is (so the
// .wasm goes next to the bundle); options.wasmUrl or options.wasmBinary
// (e.g. from "tagwise/wasm-inline") override that.
import createTagwiseModule from './dist/tagwise_wasm.mjs';
import { makeCreateTagwise } from './tagwise.js';

function load(options) {
  const args = {};
  if (options.wasmBinary) {
    args.wasmBinary = options.wasmBinary;
    // With the bytes at hand the glue needs no URL: a locateFile keeps it from
    // evaluating new URL(..., import.meta.url), which throws in bundles
    // without import.meta (esbuild's IIFE/CJS output).
    args.locateFile = (file) => file;
  } else if (options.wasmUrl) {
    const url = String(options.wasmUrl);
    args.locateFile = (file, prefix) => (file.endsWith('.wasm') ? url : prefix + file);
  }
  return createTagwiseModule(args);
}

function sourceKey(options) {
  if (options.wasmBinary) return options.wasmBinary;
  if (options.wasmUrl) return `url:${options.wasmUrl}`;
  return 'default';
}

/** Loads the wasm module (once per wasm source) and returns a Tagwise instance. */
export const createTagwise = makeCreateTagwise(load, sourceKey, { defaultStorage: 'auto', defaultPurposes: ['necessary', 'security'], defaultSync: true });
export { TagwiseError } from './errors.js';
export { indexedDBStorage, memoryStorage, webStorage } from './storage.js';
export { embedState, readEmbeddedState } from './ssr.js';
export { queueTagwise } from './queue.js';
