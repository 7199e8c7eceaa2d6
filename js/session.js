// The visitor session behind tw.loadCatalog / setProfile / track / tags /
// explain / tagProfiles, consent, persistence, recommendations, experiments
// and offers (DESIGN.md section 5). One wasm VisitorSession (the embind
// class in wasm/) per Tagwise instance holds the compiled catalog, the
// consent purposes, one visitor's profile with its server tags and the last
// evaluation, so track() re-evaluates incrementally and tags() at an
// unchanged time is served from that evaluation. Every call is one boundary
// crossing: JSON text in (the shared scratch buffer), one JSON text out.

import { catalogToText, dataToText, jsonBytes } from './codec.js';
import { TagwiseError, problem } from './errors.js';
import { PURPOSES } from './purposes.js';

// Frees the wasm VisitorSession of a runtime the program dropped.
const finalizer = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry((handle) => {
    try { handle.delete(); } catch { /* already freed */ }
  })
  : null;

const NO_CHANGES = Object.freeze({ entered: Object.freeze([]), left: Object.freeze([]), changed: Object.freeze([]) });

/** A consent purpose list, checked in JS so a typo is a TypeError at the call site. */
function checkedPurposes(purposes, where) {
  if (!Array.isArray(purposes)) throw new TypeError(`tagwise: ${where} must be an array of consent purposes`);
  for (const p of purposes) {
    if (!PURPOSES.includes(p)) {
      const shown = typeof p === 'string' ? JSON.stringify(p) : String(p);
      throw new TypeError(`tagwise: ${where}: ${shown} is not a consent purpose; use ${PURPOSES.join(', ')}`);
    }
  }
  const on = new Set(['necessary', ...purposes]);
  return PURPOSES.filter((p) => on.has(p));
}

/** { declared: { type: [purposes] }, default: [purposes] } from options.eventPurposes. */
function checkedEventPurposes(option) {
  if (option === null || typeof option !== 'object' || Array.isArray(option)) {
    throw new TypeError('tagwise: options.eventPurposes maps event types to purpose lists, e.g. { view: ["personalization"] }');
  }
  const declared = {};
  let fallback;
  for (const [type, list] of Object.entries(option)) {
    if (!Array.isArray(list) || list.length === 0) {
      throw new TypeError(`tagwise: options.eventPurposes[${JSON.stringify(type)}] must be a non-empty array of purposes`);
    }
    for (const p of list) {
      if (!PURPOSES.includes(p)) throw new TypeError(`tagwise: options.eventPurposes[${JSON.stringify(type)}]: ${JSON.stringify(p)} is not a consent purpose`);
    }
    if (type === '*') fallback = list.slice();
    else declared[type] = list.slice();
  }
  return fallback === undefined ? { declared } : { declared, default: fallback };
}

function isEmpty(changes) {
  return changes.entered.length === 0 && changes.left.length === 0 && changes.changed.length === 0;
}

/** JSON text of a profile: JSON text and UTF-8 bytes as they are, other values through JSON.stringify. */
function profileToText(profile) {
  if (typeof profile === 'string') return profile;
  return jsonBytes(profile) ?? dataToText(profile, 'profile');
}

/** A load-style result for a problem found before the call reached wasm. */
function failed(error) {
  if (!(error instanceof TagwiseError)) throw error;
  return { ok: false, errors: error.errors, warnings: [] };
}

function checkedOptions(opts, what) {
  if (opts !== undefined && (opts === null || typeof opts !== 'object')) {
    throw new TypeError(`tagwise: the options of ${what} must be an object`);
  }
  return opts ?? {};
}

/**
 * The visitor session of one Tagwise instance: owns the wasm VisitorSession
 * handle (created on first use, freed by the FinalizationRegistry) and checks
 * arguments before they cross into wasm. Not exported from the package:
 * wasm.js's Tagwise delegates its catalog, profile, tag and purpose methods
 * here, and consent.js, persistence.js, experiments.js and offers.js call it
 * as their `runtime`.
 */
export class VisitorSessionRuntime {
  #wasm;
  #purposes;
  #session = null;
  #listeners = new Set();
  #eventPurposes = null;
  #fingerprint = undefined;
  #catalogText = null;  // the loaded catalog, for moveTo()
  #disposed = false;

  /**
   * Told about local changes that must be persisted and shared with other
   * tabs (js/persistence.js): tracked(events), profileSet(mode), purposesChanged(),
   * activityChanged() (experiment assignments, conversions, offer records).
   */
  observer = null;

  constructor(wasm, options, defaultPurposes = PURPOSES) {
    this.#wasm = wasm;
    this.#purposes = options.purposes === undefined
      ? defaultPurposes.slice()
      : checkedPurposes(options.purposes, 'options.purposes');
    if (options.eventPurposes !== undefined) this.#eventPurposes = checkedEventPurposes(options.eventPurposes);
  }

  /** Frees the wasm session now (Tagwise.dispose); every later call throws. */
  dispose() {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#listeners.clear();
    if (this.#session !== null) {
      finalizer?.unregister(this);
      this.#session.delete();
      this.#session = null;
    }
  }

  /** `value` (what a session that was never created answers), unless disposed. */
  #live(value) {
    if (this.#disposed) this.#handle();
    return value;
  }

  /** The wasm session, created on first use (rule-only users never pay for it). */
  #handle() {
    if (this.#disposed) throw new Error('tagwise: this instance was disposed (tw.dispose())');
    if (this.#session === null) {
      this.#session = new this.#wasm.module.VisitorSession(JSON.stringify(this.#purposes));
      finalizer?.register(this, this.#session, this);
      const { maxSteps, maxBuiltBytes } = this.#wasm;
      if (maxSteps || maxBuiltBytes) this.#session.setBudget(maxSteps, maxBuiltBytes);  // 0: the core's default
      if (this.#eventPurposes !== null) {
        const text = JSON.stringify(this.#eventPurposes);
        const r = this.#call([text], (ptr, len) => this.#session.setEventPurposes(ptr, len));
        if (!r.ok) throw new TagwiseError(r.errors.map((e) => ({ ...e, path: `/eventPurposes${e.path}` })));
      }
    }
    return this.#session;
  }

  /** Writes texts into the scratch buffer, calls fn(ptr, len, ptr, len, ...), parses the JSON it returns. */
  #call(texts, fn) {
    const { scratch } = this.#wasm;
    let out;
    try {
      out = fn(...scratch.write(...texts));
    } finally {
      scratch.trim();
    }
    return JSON.parse(out);
  }

  /** Tells every listener; a listener that throws is reported asynchronously, the others still run. */
  #notify(changes) {
    if (changes === undefined || isEmpty(changes) || this.#listeners.size === 0) return;
    for (const fn of [...this.#listeners]) {
      try {
        fn(changes);
      } catch (e) {
        queueMicrotask(() => { throw e; });
      }
    }
  }

  loadCatalog(catalog, opts) {
    const now = this.#wasm.now(checkedOptions(opts, 'loadCatalog'));
    let text;
    try {
      text = catalogToText(catalog);
    } catch (e) {
      return failed(e);
    }
    const session = this.#handle();
    const r = this.#call([text], (ptr, len) => session.loadCatalog(ptr, len, now));
    if (r.ok) {
      this.#fingerprint = r.fingerprint;
      this.#catalogText = text;
    }
    this.#notify(r.changes);
    return { ok: r.ok, errors: r.errors, warnings: r.warnings };
  }

  /**
   * Moves the session into `module` (the full module tw.ready() loaded) and
   * makes it the instance's module: the catalog, the stored state (profile,
   * server tags, rollups, consent, activity, generation) and the options go
   * across, so the visitor holds the same tags. No listener is told: nothing
   * changed for the visitor.
   */
  moveTo(module) {
    const old = this.#session;
    const now = this.#wasm.now();
    const stored = old === null ? null : old.encodeStore(now);
    this.#wasm.use(module);
    this.#session = null;
    if (old !== null) {
      finalizer?.unregister(this);
      const session = this.#handle();
      if (this.#catalogText !== null) {
        const r = this.#call([this.#catalogText], (ptr, len) => session.loadCatalog(ptr, len, now));
        if (!r.ok) throw new TagwiseError(r.errors);
      }
      const r = this.#call([stored], (ptr, len) => session.mergeStore(ptr, len, now));
      if (!r.ok) throw new TagwiseError(r.errors ?? []);
      old.delete();
    }
  }

  lintCatalog(catalog, opts) {
    const o = checkedOptions(opts, 'lintCatalog');
    return this.#wasm.need('lint', 'lintCatalog').lintCatalog(this.#wasm, catalog, o);
  }

  setProfile(profile, opts) {
    const o = checkedOptions(opts, 'setProfile');
    const now = this.#wasm.now(o);
    let text;
    try {
      text = profileToText(profile);
    } catch (e) {
      return failed(e);
    }
    const mode = o.merge === undefined || o.merge === false ? 0 : o.merge === true ? 1 : o.merge === 'union' ? 2 : -1;
    if (mode < 0) throw new TypeError('tagwise: setProfile options.merge must be true (a server snapshot), "union" (another copy of this profile) or false');
    const session = this.#handle();
    const r = this.#call([text], (ptr, len) => session.setProfile(ptr, len, mode, now));
    if (r.ok) this.observer?.profileSet(mode);
    this.#notify(r.changes);
    return { ok: r.ok, errors: r.errors, warnings: r.warnings };
  }

  getProfile() {
    return JSON.parse(this.#handle().profileJson());
  }

  #track(events, single, opts, remote = false) {
    const now = this.#wasm.now(checkedOptions(opts, single ? 'track' : 'trackMany'));
    // An event without a time happens now. The time is set here, not in wasm,
    // so the copy other tabs receive is the same event (same derived id).
    // NaN and ±Infinity would reach wasm as JSON null, which means "now":
    // they are sent as their text ("NaN"), which the core refuses at /ts.
    const stamped = events.map((e) => {
      if (e === null || typeof e !== 'object' || Array.isArray(e)) return e;
      if (e.ts == null) return { ...e, ts: now };
      return typeof e.ts === 'number' && !Number.isFinite(e.ts) ? { ...e, ts: String(e.ts) } : e;
    });
    const { scratch } = this.#wasm;
    const session = this.#handle();
    let out;
    try {
      scratch.begin();
      const [offset, len] = scratch.records(stamped, single);
      out = session.track(scratch.ptr(offset), len, single, now);
    } catch (e) {
      if (!(e instanceof TagwiseError)) throw e;
      return { ok: false, added: 0, duplicates: 0, withheld: 0, errors: e.errors, warnings: [], changes: NO_CHANGES };
    } finally {
      scratch.trim();
    }
    const r = JSON.parse(out);
    if (r.changes === undefined) {
      return { ok: false, added: 0, duplicates: 0, withheld: 0, errors: r.errors, warnings: r.warnings ?? [], changes: NO_CHANGES };
    }
    if (r.added > 0 && !remote) this.observer?.tracked(stamped);
    this.#notify(r.changes);
    return r;
  }

  /** Events another tab recorded (already persisted there): add them, tell listeners, do not echo. */
  trackRemote(events, now) {
    return this.#track(events, false, { now }, true);
  }

  track(event, opts) {
    return this.#track([event], true, opts);
  }

  trackMany(events, opts) {
    if (!Array.isArray(events)) {
      return {
        ok: false, added: 0, duplicates: 0, warnings: [], changes: NO_CHANGES,
        errors: [problem('wrong_argument_type', '', 'trackMany(events) needs an array of events.')],
      };
    }
    return this.#track(events, false, opts);
  }

  onTagsChanged(fn) {
    if (typeof fn !== 'function') throw new TypeError('tagwise: onTagsChanged(fn) needs a function');
    // A wrapper per subscription: subscribing one function twice gives two
    // subscriptions, each removed by its own unsubscribe.
    const entry = (changes) => fn(changes);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  #decisions(opts, all) {
    const now = this.#wasm.now(checkedOptions(opts, all ? 'tagDecisions' : 'tags'));
    if (this.#session === null) return this.#live([]);
    const r = this.#session.tagsAnswer?.(now, all) ?? JSON.parse(this.#session.tags(now, all));  // js/tags_kept.js
    if (!r.ok) throw new TagwiseError(r.errors);
    this.#notify(r.changes);
    return r.tags;
  }

  tags(opts) {
    return this.#decisions(opts, false);
  }

  tagDecisions(opts) {
    return this.#decisions(opts, true);
  }

  explain(id, opts) {
    if (typeof id !== 'string') throw new TypeError('tagwise: explain(id) needs a tag id string');
    // The rule tree with its values is for people (a "why?" panel, the
    // console): the page runtime leaves it to the full module (2.5 KB gz).
    this.#wasm.need('explain', 'explain');
    const now = this.#wasm.now(checkedOptions(opts, 'explain'));
    const r = JSON.parse(this.#handle().explain(id, now));
    if (!r.ok) throw new TagwiseError(r.errors);
    return r.value;
  }

  get purposes() {
    return this.#purposes.slice();
  }

  setPurposes(purposes, opts) {
    const list = checkedPurposes(purposes, 'setPurposes(purposes)');
    const o = checkedOptions(opts, 'setPurposes');
    const now = this.#wasm.now(o);
    this.applyPurposes(list, now, o.record === true ? (o.updatedAt ?? now) : null);
    this.observer?.purposesChanged();
  }

  /**
   * Switches purposes (a checked list); `updatedAt` non-null records it as the
   * visitor's choice. Deletes what only switched-off purposes needed.
   * Returns { changed, pruned }.
   */
  applyPurposes(list, now, updatedAt) {
    const before = this.#purposes.join();
    this.#purposes = list;
    const session = this.#handle();
    const r = this.#call([JSON.stringify(list)],
      (ptr, len) => session.setPurposes(ptr, len, now, updatedAt !== null, updatedAt ?? 0));
    if (!r.ok) throw new TagwiseError(r.errors);
    this.#notify(r.changes);
    return { changed: before !== list.join(), pruned: r.pruned };
  }

  // ---- persistence primitives (js/persistence.js is the only caller)

  /** The catalog's content fingerprint (same for the same catalog however formatted). */
  get fingerprint() {
    return this.#fingerprint;
  }

  /** Merges a stored store text into the session; see wasm MergeStore. */
  mergeStore(text, now) {
    const session = this.#handle();
    const r = this.#call([text ?? ''], (ptr, len) => session.mergeStore(ptr, len, now));
    if (r.ok && r.consent !== null) this.#purposes = checkedPurposes(r.consent.purposes, 'stored consent');
    if (r.ok) this.#notify(r.changes);
    return r;
  }

  encodeStore(now) {
    return this.#handle().encodeStore(now);
  }

  shrink(now) {
    const r = JSON.parse(this.#handle().shrink(now));
    if (r.ok) this.#notify(r.changes);
    return r;
  }

  forgetAll(generation, at, now, defaults) {
    const session = this.#handle();
    const r = JSON.parse(session.forget(generation, at, now));
    if (r.ok) this.#notify(r.changes);
    this.applyPurposes(defaults, now, null);
    return r;
  }

  setGeneration(generation, at) {
    this.#handle().setGeneration(generation, at);
  }

  storeInfo() {
    return JSON.parse(this.#handle().storeInfo());
  }

  // ---- recommendations (js/recommend.js)

  loadHints(bytes, opts) {
    return this.#wasm.need('recommend', 'loadHints').loadHints(this.#handle(), this.#wasm, bytes, opts);
  }

  /** What is loaded: { catalogVersion, items, users, ... } or null (none, or the page runtime). */
  get hints() {
    const session = this.#session;
    return session === null || typeof session.hintsInfo !== 'function' ? null : JSON.parse(session.hintsInfo()).info;
  }

  recommend(opts) {
    const r = this.#wasm.need('recommend', 'recommend').recommend(this.#handle(), this.#wasm, opts);
    this.#notify(r.changes);
    if (!r.ok) throw new TagwiseError(r.errors);
    return r.items;
  }

  // ---- experiments and offers (js/experiments.js, js/offers.js)

  /**
   * Calls a session method that reads the user at `now` and may change the
   * activity ledger: { ok, changes, changed, ... }. Tag changes go to the
   * listeners; a changed ledger is persisted and announced to other tabs.
   */
  /** Runs an activity method; a BigInt or a cycle in `input` is invalid_json at its path there. */
  activityCall(method, input, now) {
    this.#wasm.need(method === 'runExperiment' || method === 'convert' ? 'experiments' : 'offers', method);
    const session = this.#handle();
    const text = dataToText(input, 'input');
    const r = this.#call([text], (ptr, len) => session[method](ptr, len, now));
    this.#notify(r.changes);
    if (r.changed) this.observer?.activityChanged();
    return r;
  }

  loadOffers(text) {
    this.#wasm.need('offers', 'offers.load');
    const session = this.#handle();
    return this.#call([text], (ptr, len) => session.loadOffers(ptr, len));
  }

  /** Sticky assignments, conversions and offer records kept for the user. */
  activity() {
    if (this.#session === null) return this.#live({ assignments: [], conversions: [], offers: [], olderTotals: [] });
    return JSON.parse(this.#session.activityJson());
  }

  tagProfiles(profiles, opts) {
    if (!Array.isArray(profiles)) throw new TypeError('tagwise: tagProfiles(profiles) needs an array of profiles');
    this.#wasm.need('batch', 'tagProfiles');
    const o = checkedOptions(opts, 'tagProfiles');
    const now = this.#wasm.now(o);
    const purposes = o.purposes === undefined
      ? null
      : JSON.stringify(checkedPurposes(o.purposes, 'tagProfiles options.purposes'));
    const { scratch } = this.#wasm;
    const session = this.#handle();
    let out;
    try {
      scratch.begin();
      const [offset, len] = scratch.records(profiles);
      const [pOffset, pLen] = purposes === null ? [0, 0] : scratch.text(purposes);
      out = session.tagProfiles(scratch.ptr(offset), len, now, scratch.ptr(pOffset), pLen);
    } finally {
      scratch.trim();
    }
    const r = JSON.parse(out);
    if (!r.ok) throw new TagwiseError(r.errors);
    return r.results;
  }
}
