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
