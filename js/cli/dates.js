// Dates the CLI reads (--as-of, --built-at, event times in JSON Lines and in
// CSV columns with the "iso" format) all go through one parser: the core's
// ParseIsoDate (core/src/common/time_parse.cpp), reached through the CLI's
// tools module, so the CLI, the engine and the native tools agree on every
// ISO 8601 text ("2011-12-10", "2011-12-10T08:26:00Z", "... 08:26:00,5",
// "...+08:00"; no zone means UTC).

import { loadModule } from './module.js';

// Distinct texts remembered before the cache starts over: logs repeat the
// same order times many times, so most lines never cross into wasm.
const CACHE_LIMIT = 100_000;

/**
 * Loads the tools module and returns parseIso(text) → ms since 1970, or null
 * when the text is not an ISO 8601 date or date-time. Surrounding spaces are
 * ignored; everything else is the core's decision.
 */
export async function loadIsoParser() {
  const module = await loadModule();
  const cache = new Map();
  return (text) => {
    let ms = cache.get(text);
    if (ms === undefined) {
      const v = module.parseIsoDate(text.trim());
      ms = Number.isFinite(v) ? v : null;
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(text, ms);
    }
    return ms;
  };
}

/** Whole milliseconds since 1970 written as digits ("1323475200000"), else null. */
export function integerMs(text) {
  if (!/^-?\d+$/.test(text)) return null;
  const ms = Number(text);
  return Number.isSafeInteger(ms) ? ms : null;
}
