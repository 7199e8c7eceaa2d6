// Node entry of the tagwise package ("node" export condition). The glue is
// built for web/worker environments (see ../shared/TOOLCHAIN.md section 4), so
// Node hands it the wasm bytes (or options.wasmModule, compiled) and the glue
// never touches fetch or fs. Load failures are TagwiseErrors (js/load.js).
import { readFile } from 'node:fs/promises';
import createTagwiseModule from './dist/tagwise_wasm.mjs';
import { instantiateModule, loadError } from './load.js';
import { makeCreateTagwise } from './tagwise.js';
import * as features from './features.js';
import { PURPOSES } from './purposes.js';
import { ColumnForm } from './rule_columns.js';
import { catalogToSql } from './sql.js';
import { keepTagsAnswers } from './tags_kept.js';

const DEFAULT_WASM = new URL('./dist/tagwise_wasm.wasm', import.meta.url);

// Each wasm source's module, for the Node-only methods added below.
const modules = new Map();

async function load(options) {
  const module = await instantiate(options);
  module.__tagwiseColumnForm = ColumnForm; // rule batches as typed columns (js/rules.js)
  keepTagsAnswers(module);
  modules.set(sourceKey(options), module);
  return module;
}

async function instantiate(options) {
  if (options.wasmModule) return instantiateModule(createTagwiseModule, { module: options.wasmModule });
  if (options.wasmBinary) return instantiateModule(createTagwiseModule, { bytes: options.wasmBinary, what: 'options.wasmBinary' });
  const file = options.wasmUrl ?? DEFAULT_WASM;
  let bytes;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw loadError('wasm_fetch_failed', `tagwise: could not read ${file}: ${e.message}`, e);
  }
  return instantiateModule(createTagwiseModule, { bytes, what: String(file) });
}

function sourceKey(options) {
  if (options.wasmModule) return options.wasmModule;
  if (options.wasmBinary) return options.wasmBinary;
  if (options.wasmUrl) return `url:${options.wasmUrl}`;
  return 'default';
}

// The features' JavaScript too is loaded up front (a page imports it on demand).
const createInstance = makeCreateTagwise(load, sourceKey, {
  defaultStorage: 'memory', defaultPurposes: PURPOSES, defaultSync: false, features,
});

/**
 * Loads the wasm module (once per wasm source) and returns a Tagwise instance,
 * with Node's own methods: catalogToSql (js/sql.js), which pages never download.
 */
export async function createTagwise(options = {}) {
  const tw = await createInstance(options);
  const module = modules.get(sourceKey(options ?? {}));
  Object.defineProperty(tw, 'catalogToSql', {
    value: (catalog, o) => catalogToSql(module, catalog, o),
    enumerable: false,
  });
  return tw;
}
export { TagwiseError } from './errors.js';
export { indexedDBStorage, memoryStorage, webStorage } from './storage.js';
export { embedState, readEmbeddedState } from './ssr.js';
export { queueTagwise } from './queue.js';
