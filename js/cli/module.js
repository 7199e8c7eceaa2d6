// The CLI's own wasm module (js/dist/tagwise_tools.*, built from
// wasm/tools_bindings.cpp): the hint builder and the offline evaluation for
// `tagwise hints` and `tagwise eval`, kept out of the module pages load.

import { readFile } from 'node:fs/promises';

import createTagwiseToolsModule from '../dist/tagwise_tools.mjs';

let modulePromise;

/** Loads the module once per process. */
export function loadModule() {
  modulePromise ??= readFile(new URL('../dist/tagwise_tools.wasm', import.meta.url))
    .then((wasmBinary) => createTagwiseToolsModule({ wasmBinary }));
  return modulePromise;
}

/** Copies `bytes` (a Uint8Array) into wasm memory; returns [ptr, len]. Free with module._free(ptr). */
export function copyIn(module, bytes) {
  const ptr = module._malloc(Math.max(1, bytes.length));
  if (ptr === 0) throw new Error(`not enough memory for ${bytes.length} bytes`);
  module.HEAPU8.set(bytes, ptr);
  return [ptr, bytes.length];
}
