// The page runtime's module (dist/tagwise_page.wasm) exports plain C
// functions (wasm/page_abi.cpp) instead of embind classes: this gives them the
// shape the rest of js/ uses for every module (a VisitorSession class with
// delete(), validate(), errorCodes(), ...), so the session code is the same
// for the page runtime and the full module. Each call returns the answer's
// text, read from the module's answer buffer. There is no RuleSet: ad-hoc
// rules need the full module (tw.ready('rules'), js/tagwise.js).

import { copyBytesIn } from './codec.js';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The embind-shaped API over the page runtime's raw module `m` (its glue's Module). */
export function pageModuleApi(m) {
  const text = (ptr) => {
    const at = ptr >>> 0;
    return decoder.decode(m.HEAPU8.subarray(at, at + (m._tw_answer_len() >>> 0)));
  };
  // A short string argument (purposes, a tag id, a generation), in a buffer of its own.
  const withString = (s, fn) => {
    const [ptr, len] = copyBytesIn(m, encoder.encode(s));
    try {
      return fn(ptr, len);
    } finally {
      m._free(ptr);
    }
  };
  const deleted = (what) => {
    throw new Error(`tagwise: this ${what} was deleted`);
  };

  class VisitorSession {
    #h;

    constructor(purposes) {
      this.#h = withString(purposes, (p, n) => m._tw_session_new(p, n)) >>> 0;
      if (this.#h === 0) throw new RangeError('tagwise: out of wasm memory');
    }

    #live() { return this.#h || deleted('VisitorSession'); }

    loadCatalog(ptr, len, now) { return text(m._tw_session_load_catalog(this.#live(), ptr, len, now)); }
    setPurposes(ptr, len, now, record, updatedAt) {
      return text(m._tw_session_set_purposes(this.#live(), ptr, len, now, record ? 1 : 0, updatedAt));
    }
    setEventPurposes(ptr, len) { return text(m._tw_session_set_event_purposes(this.#live(), ptr, len)); }
    mergeStore(ptr, len, now) { return text(m._tw_session_merge_store(this.#live(), ptr, len, now)); }
    encodeStore(now) { return text(m._tw_session_encode_store(this.#live(), now)); }
    shrink(now) { return text(m._tw_session_shrink(this.#live(), now)); }
    forget(generation, at, now) {
      const h = this.#live();
      return withString(generation, (p, n) => text(m._tw_session_forget(h, p, n, at, now)));
    }
    setGeneration(generation, at) {
      const h = this.#live();
      withString(generation, (p, n) => m._tw_session_set_generation(h, p, n, at));
    }
    setBudget(steps, bytes) { m._tw_session_set_budget(this.#live(), steps, bytes); }
    storeInfo() { return text(m._tw_session_store_info(this.#live())); }
    fingerprint() { return text(m._tw_session_fingerprint(this.#live())); }
    setProfile(ptr, len, mode, now) { return text(m._tw_session_set_profile(this.#live(), ptr, len, mode, now)); }
    track(ptr, len, single, now) { return text(m._tw_session_track(this.#live(), ptr, len, single ? 1 : 0, now)); }
    tags(now, all) { return text(m._tw_session_tags(this.#live(), now, all ? 1 : 0)); }
    profileJson() { return text(m._tw_session_profile_json(this.#live())); }

    delete() {
      m._tw_session_delete(this.#live());
      this.#h = 0;
    }
  }

  return {
    VisitorSession,
    validate: (ptr, len, maxDepth, maxNodes) => text(m._tw_validate(ptr, len, maxDepth, maxNodes)),
    errorCodes: () => text(m._tw_error_codes()),
    decodeStore: (ptr, len) => text(m._tw_decode_store(ptr, len)),
    consentPurposes: () => text(m._tw_consent_purposes()),
    decisionSources: () => text(m._tw_decision_sources()),
    _malloc: (n) => m._malloc(n),
    _free: (p) => m._free(p),
    get HEAPU8() { return m.HEAPU8; },
  };
}
