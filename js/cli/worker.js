// A tagging thread of `tagwise tag --jobs N`: its own wasm instance with the
// catalog loaded, tagging the batches of profiles the main thread sends.
// Messages in: {seq, profiles, purposes}; out: {seq, results} or {seq, error},
// after a first {ready: true} (or {failed}) once the catalog is loaded.
import { parentPort, workerData } from 'node:worker_threads';

import { createTagwise } from '../index.node.js';

const { catalog, now } = workerData;
let tw = null;
try {
  tw = await createTagwise();
  const r = tw.loadCatalog(catalog, { now });
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  parentPort.postMessage({ ready: true });
} catch (e) {
  parentPort.postMessage({ failed: String(e?.stack ?? e) });
}

parentPort.on('message', ({ seq, profiles, purposes }) => {
  try {
    parentPort.postMessage({ seq, results: tw.tagProfiles(profiles, { now, purposes }) });
  } catch (e) {
    parentPort.postMessage({ seq, error: String(e?.stack ?? e) });
  }
});
