// tw.experiments and tw.offers as createTagwise() returns them: objects that
// exist at once, whose experiments.onExposure() works on the page runtime.
// The stored records (experiments.results(), offers.history()) are read by the
// full module: the page runtime keeps them without reading them (-1.2 KB gz).
// Every other call goes to js/experiments.js / js/offers.js, which come with
// the full module (js/features.js), so the page does not fetch them for the
// tag path; before tw.ready() such a call throws not_loaded.

export class ExperimentsFace {
  #runtime;
  #wasm;
  #defaults;
  #listeners = new Set();
  #reportCondition;
  #impl = null;

  /**
   * runtime: VisitorSessionRuntime (js/session.js); wasm: the instance's WasmContext; defaults: createTagwise's
   * options.experiments; reportCondition: conditionReporter (js/conditions.js) for malformed conditions.
   */
  constructor(runtime, wasm, defaults, reportCondition) {
    if (defaults === null || typeof defaults !== 'object') throw new TypeError('tagwise: options.experiments must be an object');
    const { onExposure, ...runDefaults } = defaults;
    if (onExposure !== undefined) {
      if (typeof onExposure !== 'function') throw new TypeError('tagwise: options.experiments.onExposure must be a function');
      this.#listeners.add(onExposure);
    }
    this.#runtime = runtime;
    this.#wasm = wasm;
    this.#defaults = runDefaults;
    this.#reportCondition = reportCondition;
  }

  /** js/experiments.js's Experiments, made on first use (it shares the listeners). */
  #full(call) {
    const { Experiments } = this.#wasm.need('experiments', call);
    this.#impl ??= new Experiments(this.#runtime, this.#wasm, this.#defaults, this.#listeners, this.#reportCondition);
    return this.#impl;
  }

  run(definition, options) { return this.#full('runExperiment').run(definition, options); }

  convert(experiment, opts) { return this.#full('convert').convert(experiment, opts); }

  report(input) { return this.#full('experiments').report(input); }

  hash(seed, value, version) { return this.#full('experiments').hash(seed, value, version); }

  bucketRanges(numVariations, coverage, weights) { return this.#full('experiments').bucketRanges(numVariations, coverage, weights); }

  chooseVariation(n, ranges) { return this.#full('experiments').chooseVariation(n, ranges); }

  inNamespace(hashValue, namespace) { return this.#full('experiments').inNamespace(hashValue, namespace); }

  /** Calls fn(definition, result) the first time the user enters an experiment (once per user per experiment, across reloads and tabs). Returns an unsubscribe function. */
  onExposure(fn) {
    if (typeof fn !== 'function') throw new TypeError('tagwise: experiments.onExposure(fn) needs a function');
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** The user's kept results, to send to the shop's server: { assignments: [...], conversions: [...] }. */
  results() {
    this.#wasm.need('experiments', 'experiments.results');
    const a = this.#runtime.activity();
    return { assignments: a.assignments, conversions: a.conversions };
  }
}

export class OffersFace {
  #runtime;
  #wasm;
  #timeZoneOffset;
  #impl = null;

  /** timeZoneOffset: createTagwise's options.timeZoneOffset (minutes east of UTC), or undefined for the runtime's. */
  constructor(runtime, wasm, timeZoneOffset) {
    if (timeZoneOffset !== undefined && !Number.isInteger(timeZoneOffset)) {
      throw new TypeError('tagwise: options.timeZoneOffset must be whole minutes east of UTC (UTC+8 is 480)');
    }
    this.#runtime = runtime;
    this.#wasm = wasm;
    this.#timeZoneOffset = timeZoneOffset;
  }

  /** js/offers.js's Offers, made on first use. */
  #full(call) {
    const { Offers } = this.#wasm.need('offers', call);
    this.#impl ??= new Offers(this.#runtime, this.#wasm, this.#timeZoneOffset);
    return this.#impl;
  }

  load(definitions) { return this.#full('offers.load').load(definitions); }

  eligible(context) { return this.#full('eligibleOffers').eligible(context); }

  record(id, action, opts) { return this.#full('recordOffer').record(id, action, opts); }

  /** The user's offer records kept for caps: [{ offer, action, at }]. */
  history() {
    this.#wasm.need('offers', 'offers.history');
    return this.#runtime.activity().offers;
  }
}
