// Browser / bundler entry of the tagwise package ("default" export condition).
// The Emscripten glue finds tagwise_wasm.wasm next to itself
// (new URL(..., import.meta.url)), which Vite, webpack and plain
// <script type="module"> pages all resolve; options.wasmUrl or
// options.wasmBinary override that.
import createTagwiseModule from './dist/tagwise_wasm.mjs';
import { makeCreateTagwise } from './engine.js';

function load(options) {
  const args = {};
  if (options.wasmBinary) {
    args.wasmBinary = options.wasmBinary;
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

/** Loads the engine (once per wasm source) and returns a Tagwise instance. */
export const createTagwise = makeCreateTagwise(load, sourceKey);
export { TagwiseError } from './errors.js';
