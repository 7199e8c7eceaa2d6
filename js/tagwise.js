// The package's face over the wasm module: compile rules once, evaluate many
// times, batch many records in one boundary crossing. index.js (browsers) and
// index.node.js (Node) only differ in how they load the module. What only
// the full module's features use is js/features.js, reached through
// WasmContext.need() (a page fetches it with the full module).

import { Scratch, ruleToText } from './codec.js';
import { Consent } from './consent.js';
import { TagwiseError } from './errors.js';
import { ExperimentsFace, OffersFace } from './faces.js';
import { PURPOSES } from './purposes.js';
import { Persistence } from './persistence.js';
import { VisitorSessionRuntime } from './session.js';
import { hydrate, ssrState } from './ssr.js';
import { resolveStorage } from './storage.js';

const DEFAULT_CACHE_SIZE = 256;

function checkedLimit(value, name) {
  if (value === undefined) return 0;
  if (!Number.isInteger(value) || value <= 0) throw new TypeError(`tagwise: limits.${name} must be a positive integer`);
  return value;
}

// What the browser's page runtime (js/dist/tagwise_page.wasm) leaves to the
// full module (js/dist/tagwise_features.wasm), fetched on first use:
// tw.ready(...FEATURES). Node's module (js/dist/tagwise_wasm.wasm) has them all.
export const FEATURES = Object.freeze(['explain', 'rules', 'experiments', 'offers', 'recommend', 'conditions', 'lint', 'text', 'batch']);

function checkedFeatures(list, where) {
  if (!Array.isArray(list)) throw new TypeError(`tagwise: ${where} must be an array of features (${FEATURES.join(', ')})`);
  for (const f of list) {
    if (!FEATURES.includes(f)) {
      throw new TypeError(`tagwise: ${where}: ${JSON.stringify(f)} is not a feature; use ${FEATURES.join(', ')}`);
    }
  }
  return list;
}

// The features' JavaScript (js/features.js): a lazily fetched chunk of its
// own in a page's bundle, unless the entry passes it in (env.features:
// index.node.js, which loads everything up front).
const loadFeatures = (env) => env.features ?? import('./features.js');

// The page runtime lacks the features' bindings (CMakeLists.txt, tagwise_page_wasm).
const isFull = (module) => typeof module.evaluateCondition === 'function';

/** Per-instance settings over the shared module (kept off the public object). */
class WasmContext {
  /** `features`: js/features.js, there whenever `module` is the full module. */
  constructor(module, features, options) {
    this.features = features;
    this.use(module);
    this.clock = options.clock ?? Date.now;
    if (typeof this.clock !== 'function') throw new TypeError('tagwise: options.clock must be a function');
    const limits = options.limits ?? {};
    this.maxDepth = checkedLimit(limits.maxDepth, 'maxDepth');
    this.maxNodes = checkedLimit(limits.maxNodes, 'maxNodes');
    this.maxSteps = checkedLimit(limits.maxSteps, 'maxSteps');
    this.maxBuiltBytes = checkedLimit(limits.maxBuiltBytes, 'maxBuiltBytes');
    this.cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
    if (!Number.isInteger(this.cacheSize) || this.cacheSize < 0) {
      throw new TypeError('tagwise: options.cacheSize must be a non-negative integer');
    }
  }

  /** Switches to `module` (the page runtime, or the full module once a feature loaded). */
  use(module) {
    this.module = module;
    this.scratch = module.__tagwiseScratch ??= new Scratch(module);
    this.full = isFull(module);
  }

  /** The features' JavaScript (js/features.js); throws unless the loaded module holds `feature` (the page runtime does not). */
  need(feature, call) {
    if (this.full) return this.features;
    throw new TagwiseError([{
      code: 'not_loaded',
      path: '',
      severity: 'error',
      message: `tagwise: ${call} needs the ${feature} module, which the page loads on demand: `
        + `await tw.ready('${feature}') first (or createTagwise({ features: ['${feature}'] }))`,
    }]);
  }

  now(opts) {
    let now = opts?.now ?? this.clock();
    if (now instanceof Date) now = now.getTime();
    if (typeof now !== 'number' || !Number.isFinite(now)) {
      throw new TypeError('tagwise: `now` must be a finite number of milliseconds (or a Date)');
    }
    return now;
  }
}

const MAX_DIAGNOSTICS = 50;

// Not public API (absent from index.d.ts, the README and docs/; may change without
// notice): `tw[Symbol.for('tagwise.wasmMemoryBytes')]` is the current size in
// bytes of the wasm linear memory the instance runs in. Every instance over
// the same module shares that memory, and it only ever grows. For soak tests
// and benchmarks that check memory stays bounded (tests/js/soak.test.mjs,
// bench/node/soak.mjs).
const WASM_MEMORY_BYTES = Symbol.for('tagwise.wasmMemoryBytes');

/** The object createTagwise() resolves to. */
class Tagwise {
  #cache = null; // tw.evaluate's RuleCache (js/rules.js), made on first use

  #wasm;

  #session;

  #disposing = null;
  #persistence;

  #consent;

  #diagnostics = [];

  #onError;

  // Reports each malformed GrowthBook condition once: js/conditions.js's
  // conditionReporter, made on first use (it comes with the features).
  #conditionReporter = null;

  #reportCondition = (problems, key, detail) => {
    this.#conditionReporter ??= this.#wasm.features.conditionReporter((code, message, d) => this.#report(code, message, d));
    this.#conditionReporter(problems, key, detail);
  };

  #experiments;

  #offers;

  #loadFull;

  #upgrading = null;

  constructor(module, features, options, env) {
    this.#wasm = new WasmContext(module, features, options);
    this.#session = new VisitorSessionRuntime(this.#wasm, options, env.defaultPurposes);
    this.#experiments = new ExperimentsFace(this.#session, this.#wasm, options.experiments ?? {}, this.#reportCondition);
    // The full module and the features' JavaScript, fetched together.
    this.#loadFull = env.loadFull ? () => Promise.all([env.loadFull(), loadFeatures(env)]) : null;
    this.#offers = new OffersFace(this.#session, this.#wasm, options.timeZoneOffset);
    this.#onError = options.onError;
    if (this.#onError !== undefined && typeof this.#onError !== 'function') {
      throw new TypeError('tagwise: options.onError must be a function');
    }
    const flushDelay = options.flushDelay;
    if (flushDelay !== undefined && !(Number.isFinite(flushDelay) && flushDelay >= 0)) {
      throw new TypeError('tagwise: options.flushDelay must be a number of milliseconds >= 0');
    }
    const key = options.storageKey ?? 'tagwise';
    if (typeof key !== 'string' || key === '') throw new TypeError('tagwise: options.storageKey must be a non-empty string');
    // Node's default is the instance's own memory: the wasm session already
    // holds the state, so there is nothing to write (and an SSR server
    // creating an instance per request pays nothing for persistence).
    const instanceMemory = options.storage === undefined && env.defaultStorage === 'memory';
    const adapter = instanceMemory ? null : resolveStorage(options.storage === undefined ? env.defaultStorage : options.storage);
    this.#persistence = new Persistence(this.#session, this.#wasm, {
      adapter,
      label: instanceMemory ? 'memory' : 'none',
      key,
      flushDelay,
      sync: options.sync ?? env.defaultSync,
      report: (code, message, detail) => this.#report(code, message, detail),
      defaults: this.#session.purposes,
      consentListeners: (source) => this.#consent.notify(source),
    });
    this.#consent = new Consent(this.#session, this.#wasm, this.#persistence);
  }

  /** createTagwise's second half: catalog, stored state, SSR state. */
  static async create(module, options, env) {
    const features = isFull(module) ? await loadFeatures(env) : null;
    const tw = new Tagwise(module, features, options, env);
    if (options.features !== undefined && options.features.length > 0 && !tw.#wasm.full) await tw.ready(...options.features);
    if (options.catalog !== undefined) {
      const r = tw.loadCatalog(options.catalog);
      if (!r.ok) throw new TagwiseError(r.errors.map((e) => ({ ...e, path: `/catalog${e.path}` })));
    }
    await tw.#persistence.load();
    if (options.hydrate !== undefined && options.hydrate !== null) {
      const r = tw.hydrate(options.hydrate);
      if (!r.ok) tw.#report('ssr_rejected', 'tagwise: the server-rendered state was not used', { errors: r.errors });
    }
    return tw;
  }

  #report(code, message, detail = {}) {
    const diagnostic = { code, message, at: Date.now(), ...detail };
    this.#diagnostics.push(diagnostic);
    if (this.#diagnostics.length > MAX_DIAGNOSTICS) this.#diagnostics.shift();
    if (this.#onError) {
      try {
        this.#onError(diagnostic);
      } catch (e) {
        queueMicrotask(() => { throw e; });
      }
    } else if (typeof console !== 'undefined') {
      console.warn(message);
    }
  }

  // The page runtime evaluates catalogs only; ad-hoc rules (RuleBatch in
  // wasm, js/rules.js) come with the full module.

  /** Compiles one rule (a JSON value); throws TagwiseError listing every problem. */
  compileRule(rule) {
    const text = ruleToText(rule);
    const { compile, CompiledRule } = this.#wasm.need('rules', 'compileRule');
    const { handle, warnings } = compile(this.#wasm, text, false);
    return new CompiledRule(handle, warnings);
  }

  /** Compiles a list of rules evaluated together (see RuleSet.evaluateMany). */
  compileRules(rules) {
    if (!Array.isArray(rules)) throw new TypeError('tagwise: compileRules(rules) needs an array');
    const text = ruleToText(rules);
    const { compile, RuleSet } = this.#wasm.need('rules', 'compileRules');
    const { handle, warnings } = compile(this.#wasm, text, true);
    return new RuleSet(handle, warnings);
  }

  /** Every problem of a rule (errors and warnings); an empty array for a good rule. */
  validateRule(rule) {
    let text;
    try {
      text = ruleToText(rule);
    } catch (e) {
      if (e instanceof TagwiseError) return e.errors;
      throw e;
    }
    try {
      const [ptr, len] = this.#wasm.scratch.write(text);
      return JSON.parse(this.#wasm.module.validate(ptr, len, this.#wasm.maxDepth, this.#wasm.maxNodes));
    } finally {
      this.#wasm.scratch.trim();
    }
  }

  /** One-shot evaluation; compiled rules are cached (LRU, keyed by JSON text). */
  evaluate(rule, data, opts) {
    const text = ruleToText(rule);
    this.#cache ??= new (this.#wasm.need('rules', 'evaluate').RuleCache)(this.#wasm);
    return this.#cache.evaluate(text, data, opts);
  }

  /** Text form → JSON rule; throws TagwiseError with path "line:column". */
  parseRuleText(text) {
    if (typeof text !== 'string') throw new TypeError('tagwise: parseRuleText(text) needs a string');
    let r;
    try {
      const [ptr, len] = this.#wasm.scratch.write(text);
      this.#wasm.need('text', 'parseRuleText');
      r = JSON.parse(this.#wasm.module.parseText(ptr, len));
    } finally {
      this.#wasm.scratch.trim();
    }
    if (!r.ok) throw new TagwiseError(r.errors);
    return JSON.parse(r.value);
  }

  /** JSON rule → text form. */
  formatRule(rule) {
    const text = ruleToText(rule);
    let r;
    try {
      const [ptr, len] = this.#wasm.scratch.write(text);
      this.#wasm.need('text', 'formatRule');
      r = JSON.parse(this.#wasm.module.formatText(ptr, len));
    } finally {
      this.#wasm.scratch.trim();
    }
    if (!r.ok) throw new TagwiseError(r.errors);
    return r.value;
  }

  /** Every error code the wasm can report (the ErrorCode union). */
  get errorCodes() {
    return JSON.parse(this.#wasm.module.errorCodes());
  }

  /** Every consent purpose, in the core's order (the Purpose union). */
  get consentPurposes() {
    return JSON.parse(this.#wasm.module.consentPurposes());
  }

  /** Every decision source a tag decision can carry (the DecisionSource union). */
  get decisionSources() {
    return JSON.parse(this.#wasm.module.decisionSources());
  }

  /** Every code lintCatalog's own checks report (LintCode without the ErrorCode part). */
  get lintCodes() {
    this.#wasm.need('lint', 'lintCodes');
    return JSON.parse(this.#wasm.module.lintCodes());
  }

  /** Frees the one-shot compile cache. The instance stays usable. */
  clearCache() {
    this.#cache?.clear();
  }

  // ---- Features the page loads on demand (README "How the .wasm loads and caches")

  /**
   * Resolves (to this instance) once `features` can be used: in browsers the
   * page runtime holds the tag path only, and the first ready() fetches the
   * full module and moves the visitor's session into it (same tags, same
   * stored state). In Node, and with options.wasmBinary or wasmModule,
   * everything is loaded from the start and ready() resolves at once.
   */
  ready(...features) {
    checkedFeatures(features, 'ready(...features)');
    if (this.#wasm.full) return Promise.resolve(this);
    if (this.#loadFull === null) return Promise.reject(new Error('tagwise: this build has no full module to load'));
    this.#upgrading ??= this.#loadFull().then(([module, features]) => {
      this.#wasm.features = features;
      this.#session.moveTo(module);
      return this;
    }).finally(() => { this.#upgrading = null; });
    return this.#upgrading;
  }

  /** Whether `feature` can be used now (without awaiting ready()). */
  has(feature) {
    checkedFeatures([feature], 'has(feature)');
    return this.#wasm.full;
  }

  // ---- The visitor session: catalog, profile, tags (js/session.js; types and docs in index.d.ts) ----

  /** Loads a tag catalog (object or JSON text); on success it replaces the previous one. */
  loadCatalog(catalog, opts) { return this.#session.loadCatalog(catalog, opts); }

  /** The catalog's hygiene report, optionally with coverage over a sample of profiles. */
  lintCatalog(catalog, opts) { return this.#session.lintCatalog(catalog, opts); }

  /** Loads the user's profile or server snapshot (replacing, or with { merge: true } merging). */
  setProfile(profile, opts) { return this.#session.setProfile(profile, opts); }

  /** The user's profile as held now, in the snapshot JSON form. */
  getProfile() { return this.#session.getProfile(); }

  /** Adds one event (deduplicated by id) and re-evaluates the tags it can affect. */
  track(event, opts) { return this.#session.track(event, opts); }

  /** Adds events (deduplicated by id) and re-evaluates the tags they can affect. */
  trackMany(events, opts) { return this.#session.trackMany(events, opts); }

  /** Calls fn({ entered, left, changed }) whenever the user's tags change; returns the unsubscribe function. */
  onTagsChanged(fn) { return this.#session.onTagsChanged(fn); }

  /** The tags the user holds, in catalog order. */
  tags(opts) { return this.#session.tags(opts); }

  /** Every tag of the catalog with its decision and why (held or not). */
  tagDecisions(opts) { return this.#session.tagDecisions(opts); }

  /** Why the user holds a tag or not: the rule tree with each node's value. */
  explain(id, opts) { return this.#session.explain(id, opts); }

  /** The consent purposes switched on. */
  get purposes() { return this.#session.purposes; }

  /** Switches consent purposes; tags of the others are not computed. */
  setPurposes(purposes, opts) { this.#session.setPurposes(purposes, opts); }

  /** Tags many users' profiles with the loaded catalog in one call into wasm. */
  tagProfiles(profiles, opts) { return this.#session.tagProfiles(profiles, opts); }

  // ---- Experiments (js/experiments.js; types and docs in index.d.ts) ----

  /** GrowthBook-compatible bucketing: hash, bucketRanges, chooseVariation, inNamespace. */
  get experiments() { return this.#experiments; }

  /**
   * GrowthBook's evalCondition: whether the attributes satisfy a MongoDB-style
   * targeting condition ($in, $gt, $elemMatch, $regex, $vgte, $inGroup, ...).
   * A malformed condition is evaluated as GrowthBook does; its problems (with
   * JSON Pointers) go to diagnostics() / onError as "malformed_condition".
   */
  evaluateCondition(condition, attributes = {}, options = {}) {
    return this.#wasm.need('conditions', 'evaluateCondition')
      .evaluateCondition(this.#wasm.module, condition, attributes, options, this.#reportCondition);
  }

  /** Every problem of a condition, strictly (errors and warnings with JSON Pointers); [] for a good one. */
  validateCondition(condition, options = {}) {
    return this.#wasm.need('conditions', 'validateCondition').validateCondition(this.#wasm.module, condition, options);
  }

  // ---- Offers (js/offers.js) ----

  /** Tag-targeted offers with caps and quiet hours: load(definitions), eligible(context), record(id, action), history(). */
  get offers() { return this.#offers; }

  // ---- Recommendations (js/recommend.js; types and docs in index.d.ts) ----

  /** Loads a hint file built by `tagwise hints` (Uint8Array or ArrayBuffer); returns what it holds. */
  loadHints(bytes, opts) { return this.#session.loadHints(bytes, opts); }

  /** What the loaded hint file holds ({ catalogVersion, items, ... }), or null. */
  get hints() { return this.#session.hints; }

  /** The top-k items for the visitor with reasons: [{ item, score, reasons }]. */
  recommend(opts) { return this.#session.recommend(opts); }

  /** A fingerprint of the loaded catalog's content (undefined before one is loaded). */
  get catalogFingerprint() { return this.#session.fingerprint; }

  // ---- Runtime: persistence, consent, privacy rights, SSR (js/persistence.js) ----

  /** The visitor's consent per purpose: get(), set({ personalization: false }), onChange(fn). */
  get consent() { return this.#consent; }

  /** Where the state is kept: { adapter: "indexedDB" | "localStorage" | "memory" | custom name | "none", key }; Node's default "memory" is the instance itself (nothing written). */
  get storage() { return { adapter: this.#persistence.adapterName, key: this.#persistence.key }; }

  /** Problems the runtime handled (damaged store, full storage, ...), newest last. */
  diagnostics() { return this.#diagnostics.slice(); }

  /** Writes pending changes to storage now. */
  flush() { return this.#persistence.flush(); }

  /** Erases everything stored for the visitor: memory and storage, in every tab. Consent returns to the default. */
  async forget() {
    await this.#persistence.forget();
    this.#consent.notify('local');
  }

  /** Everything stored for the visitor, as JSON a person can read. */
  async exportData(opts) {
    const now = this.#wasm.now(opts);
    const text = await this.#persistence.storedText();
    let stored;
    if (text === null || text === undefined) {
      const info = this.#session.storeInfo();
      stored = { profile: this.getProfile(), consent: info.consent, problems: [] };
    } else {
      const { module, scratch } = this.#wasm;
      let out;
      try {
        const [ptr, len] = scratch.write(String(text));
        out = module.decodeStore(ptr, len);
      } finally {
        scratch.trim();
      }
      stored = JSON.parse(out);
    }
    const where = {
      adapter: this.#persistence.adapterName,
      key: this.#persistence.key,
      bytes: text == null ? 0 : new TextEncoder().encode(String(text)).length,
    };
    // A chunk of its own: a visitor asks for their data rarely, pages load fast always.
    const { readableExport } = await import('./export.js');
    // The experiment and offer records are read by the full module (the page
    // runtime keeps them without reading them: -1.2 KB gz per page).
    if (!this.#wasm.full && this.#loadFull !== null) await this.ready();
    const activity = this.#wasm.full ? this.#session.activity() : null;
    return readableExport(stored, where, this.tags({ now }), now, activity, PURPOSES);
  }

  /** Writes what is pending and stops syncing with other tabs. The instance stays usable in memory. */
  close() { return this.#persistence.close(); }

  /**
   * close(), then frees the visitor's session in wasm memory at once instead
   * of whenever the garbage collector runs (an SSR server making one
   * instance per request). Every later call throws. Idempotent.
   */
  dispose() {
    this.#disposing ??= this.#persistence.close().finally(() => this.#session.dispose());
    return this.#disposing;
  }

  /** The compact state a server embeds in the page so the browser starts with the same tags. */
  ssrState(opts) { return ssrState(this, opts); }

  /** Starts from a server's ssrState(): { ok, errors, mismatches }. */
  hydrate(state, opts) { return hydrate(this, state, opts); }

  /** Not public API: wasm linear memory size in bytes (see WASM_MEMORY_BYTES). */
  get [WASM_MEMORY_BYTES]() { return this.#wasm.module.HEAPU8.buffer.byteLength; }
}

// `await using tw = await createTagwise()` disposes it at the end of the
// block; plain `using` starts the same (its writes finish asynchronously).
if (typeof Symbol.asyncDispose === 'symbol') Tagwise.prototype[Symbol.asyncDispose] = Tagwise.prototype.dispose;
if (typeof Symbol.dispose === 'symbol') Tagwise.prototype[Symbol.dispose] = function dispose() { this.dispose(); };

/**
 * Builds createTagwise() around a loader (options) => Promise<wasm module>.
 * The module promise is memoized per wasm source; every call gets its own
 * Tagwise object (own clock, limits and cache) over the shared module.
 */
export function makeCreateTagwise(load, sourceKey, env) {
  const modules = new Map();
  const memo = (key, fn) => {
    let promise = modules.get(key);
    if (promise === undefined) {
      promise = Promise.resolve().then(fn);
      modules.set(key, promise);
      promise.catch(() => modules.delete(key)); // let a later call retry
    }
    return promise;
  };
  return async function createTagwise(options = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('tagwise: options must be an object');
    if (options.features !== undefined) checkedFeatures(options.features, 'options.features');
    const key = sourceKey(options);
    // A page that names its features up front fetches the full module only.
    const full = env.loadFull !== undefined && options.features?.length > 0 && !options.wasmBinary && !options.wasmModule;
    const fullKey = `full:${options.featuresWasmUrl ?? ''}`;
    const loadFull = env.loadFull === undefined ? undefined : () => memo(fullKey, () => env.loadFull(options));
    const module = await (full ? loadFull() : memo(key, () => load(options)));
    return Tagwise.create(module, options, { ...env, loadFull });
  };
}

export { TagwiseError };
