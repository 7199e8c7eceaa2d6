// tw.loadHints / tw.recommend: the recommendation face of a Tagwise
// instance. The hints live in the instance's wasm session next to the
// profile, so recommend() reads the events set with setProfile() and those
// tracked since, the tags held now and the consent state without copying
// them out of wasm. The model is core/src/recommend/recommend.cpp.

import { copyBytesIn, dataToText } from './codec.js';
import { TagwiseError } from './errors.js';

/** The bytes of a hint file as a Uint8Array (ArrayBuffer and typed-array views accepted). */
function hintBytes(bytes) {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new TypeError('tagwise: loadHints(bytes) needs the hint file as a Uint8Array or ArrayBuffer');
}

/** Runs fn(ptr, len) with the bytes copied into wasm memory. */
function withBytes(module, view, fn) {
  const [ptr, len] = copyBytesIn(module, view);
  try {
    return fn(ptr, len);
  } finally {
    module._free(ptr);
  }
}

/**
 * Loads a hint file built by `tagwise hints`; replaces the previous one.
 * Throws a TagwiseError (`corrupt`, `unsupported_version`, `catalog_mismatch`)
 * and keeps the previous hints when the file cannot be used.
 */
export function loadHints(session, wasm, bytes, opts) {
  const view = hintBytes(bytes);
  if (opts !== undefined && (opts === null || typeof opts !== 'object')) {
    throw new TypeError('tagwise: the options of loadHints must be an object');
  }
  const expected = opts?.catalogVersion ?? '';
  if (typeof expected !== 'string') throw new TypeError('tagwise: loadHints options.catalogVersion must be a string');
  const r = JSON.parse(withBytes(wasm.module, view, (ptr, len) => session.loadHints(ptr, len, expected)));
  if (!r.ok) throw new TagwiseError(r.errors);
  return r.info;
}

/**
 * The session's answer to recommend(): { ok, items: [{ item, score, reasons,
 * name?, category?, price? }], changes } or { ok: false, errors, changes }.
 * Options are checked by the core (errors carry paths such as
 * "/boosts/0/factor"); a filter rule is compiled per call. `changes` are tag
 * changes the session found on the way (time moved on), for the listeners.
 */
export function recommend(session, wasm, opts = {}) {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new TypeError('tagwise: recommend(options) takes an options object');
  }
  const { now: _now, ...options } = opts;
  const now = wasm.now(opts);
  const { scratch } = wasm;
  let out;
  try {
    const [ptr, len] = scratch.write(dataToText(options, 'recommend options'));
    out = session.recommend(ptr, len, now);
  } finally {
    scratch.trim();
  }
  return JSON.parse(out);
}
