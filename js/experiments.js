// tw.experiments: GrowthBook-compatible bucketing (DESIGN.md section 7). The
// functions reproduce GrowthBook's hash, getBucketRanges, chooseVariation and
// inNamespace exactly (computed by the core, core/src/experiments/experiments.cpp), so the
// same user lands in the same variation in tagwise and in GrowthBook; like
// GrowthBook, bucketRanges falls back to equal weights for weights of the
// wrong length or not summing to 1 and clamps coverage to [0, 1]. Wrong
// argument types are TypeErrors.
//
// run() is GrowthBook's runExperiment in the same steps (core/src/
// experiment_run.cpp) with the user the instance holds: attributes, held tags
// and events for targeting, the consent state, and a sticky assignment kept
// in the instance's storage whose creation is the one exposure reported to
// onExposure listeners. Unlike the bucketing helpers it refuses a bad
// definition (TagwiseError with paths) instead of falling back, except for a
// malformed `condition`: like GrowthBook it is evaluated as GrowthBook does
// (where GrowthBook throws, the user is not in the experiment, reason
// "condition"), and its problems are reported as a "malformed_condition"
// diagnostic (tw.diagnostics(), onError) with JSON Pointers under /condition.

import { dataToText } from './codec.js';
import { TagwiseError } from './errors.js';
import { randomId } from './persistence.js';

const MAX_VARIATIONS = 10_000;

function checkString(x, what) {
  if (typeof x !== 'string') throw new TypeError(`tagwise: experiments.${what} must be a string`);
}

function checkNumber(x, what) {
  if (typeof x !== 'number') throw new TypeError(`tagwise: experiments.${what} must be a number`);
}

function checkRange(r, what) {
  if (!Array.isArray(r) || r.length < 2 || typeof r[0] !== 'number' || typeof r[1] !== 'number') {
    throw new TypeError(`tagwise: experiments.${what} must be [start, end] numbers`);
  }
}

function plainObject(x, what) {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new TypeError(`tagwise: ${what} must be an object`);
}

/** JSON.stringify drops functions silently; a GrowthBook `include` function must be refused, not ignored. */
function checkNoFunctions(definition) {
  for (const [k, v] of Object.entries(definition)) {
    if (typeof v === 'function') {
      throw new TypeError(`tagwise: experiments.run: "${k}" is a function; definitions are JSON (use "rule" or "condition" for targeting)`);
    }
  }
}

/**
 * What tw.experiments does with the full module loaded; made by
 * ExperimentsFace (js/faces.js), which holds onExposure() and results()
 * because they work on the page runtime too.
 */
export class Experiments {
  #runtime;
  #wasm;
  #defaults;
  #listeners;
  #reportCondition;

  /**
   * runtime: VisitorSessionRuntime (js/session.js); wasm: the instance's WasmContext; defaults: createTagwise's
   * options.experiments without onExposure; listeners: the onExposure functions (a Set the face adds to);
   * reportCondition: conditionReporter (js/conditions.js) for malformed conditions.
   */
  constructor(runtime, wasm, defaults, listeners, reportCondition) {
    this.#runtime = runtime;
    this.#wasm = wasm;
    this.#defaults = defaults;
    this.#listeners = listeners;
    this.#reportCondition = reportCondition;
  }

  /**
   * Runs an experiment for the instance's user: { inExperiment, variationId,
   * value, hashUsed, key, hashAttribute, hashValue, stickyBucketUsed, reason,
   * bucket?, name? }. options: { attributes, forcedVariations, qaMode, url,
   * enabled, savedGroups, now }; createTagwise's options.experiments are the defaults.
   */
  run(definition, options = {}) {
    plainObject(definition, 'experiments.run(definition)');
    plainObject(options, 'experiments.run options');
    checkNoFunctions(definition);
    const { now: _now, ...rest } = options;
    const input = { ...this.#defaults, ...rest, definition };
    if (this.#defaults.forcedVariations && rest.forcedVariations) {
      input.forcedVariations = { ...this.#defaults.forcedVariations, ...rest.forcedVariations };
    }
    let r;
    try {
      r = this.#runtime.activityCall('runExperiment', input, this.#wasm.now(options));
    } catch (e) {
      // A value JSON cannot carry: its path in the definition, not in the call's input.
      if (!(e instanceof TagwiseError)) throw e;
      throw new TagwiseError(e.errors.map((p) => (p.path.startsWith('/definition')
        ? { ...p, path: p.path.slice(11), message: p.message.replaceAll('"/definition', '"') } : p)));
    }
    if (!r.ok) throw new TagwiseError(r.errors);
    const problems = (r.warnings ?? []).filter((w) => w.path === '/condition' || w.path.startsWith('/condition/'));
    if (problems.length > 0 && this.#reportCondition) {
      const key = typeof definition.key === 'string' ? definition.key : '';
      this.#reportCondition(problems, `experiment ${JSON.stringify(key)} ${JSON.stringify(definition.condition)}`, { experiment: key });
    }
    const { exposure, ...result } = r.result;
    if (exposure) {
      for (const fn of [...this.#listeners]) {
        try {
          fn(definition, result);
        } catch (e) {
          queueMicrotask(() => { throw e; });
        }
      }
    }
    return result;
  }

  /**
   * Records a conversion for the variation the user was assigned in `experiment`:
   * { recorded, variation?, variationKey?, reason? } (reason "not_in_experiment",
   * "consent" or "duplicate" when not recorded). opts: { metric = "conversion", value, id, now }.
   */
  convert(experiment, opts = {}) {
    if (typeof experiment !== 'string' || experiment === '') throw new TypeError('tagwise: experiments.convert(key) needs the experiment key');
    plainObject(opts, 'experiments.convert options');
    const input = { experiment, id: opts.id ?? randomId() };
    if (opts.metric !== undefined) input.metric = opts.metric;
    if (opts.value !== undefined) input.value = opts.value;
    const r = this.#runtime.activityCall('convert', input, this.#wasm.now(opts));
    if (!r.ok) throw new TagwiseError(r.errors);
    const { ok: _ok, changes: _c, changed: _ch, ...out } = r;
    return out;
  }

  /**
   * Compares variations: conversion rate with its confidence interval, uplift,
   * p-value, chance to beat the control (the first variation; Beta posteriors)
   * and enoughData (minConversions, default 30, control + variation; no winner
   * below it). input: { variations: [{ id, users, conversions }], confidence?,
   * minConversions? } or { experiment, results: [results() of many users],
   * metric?, confidence?, minConversions? }.
   */
  report(input) {
    plainObject(input, 'experiments.report(input)');
    const counts = input.results === undefined ? input : aggregateResults(input);
    const r = JSON.parse(this.#wasm.module.experimentReport(dataToText(counts, 'report input')));
    if (!r.ok) throw new TagwiseError(r.errors);
    return r.value;
  }

  /** GrowthBook's hash(seed, value, version): a number in [0, 1), or null for a version other than 1 or 2. */
  hash(seed, value, version) {
    checkString(seed, 'hash seed');
    checkString(value, 'hash value');
    if (version !== 1 && version !== 2) return null;
    return this.#wasm.module.experimentHash(seed, value, version);
  }

  /** GrowthBook's getBucketRanges(numVariations, coverage = 1, weights?) → [[start, end], ...]. */
  bucketRanges(numVariations, coverage = 1, weights = undefined) {
    if (!Number.isInteger(numVariations)) throw new TypeError('tagwise: experiments.bucketRanges needs a whole number of variations');
    checkNumber(coverage, 'bucketRanges coverage');
    if (weights !== undefined && weights !== null) {
      if (!Array.isArray(weights) || weights.some((w) => typeof w !== 'number')) {
        throw new TypeError('tagwise: experiments.bucketRanges weights must be an array of numbers');
      }
    }
    // A bound GrowthBook lacks (it allocates whatever it is asked for).
    if (numVariations > MAX_VARIATIONS) throw new RangeError(`tagwise: experiments.bucketRanges takes at most ${MAX_VARIATIONS} variations`);
    return this.#wasm.module.experimentBucketRanges(Math.max(numVariations, -1), coverage, weights ?? null);
  }

  /** GrowthBook's chooseVariation(n, ranges): the index of the range holding n, or -1. */
  chooseVariation(n, ranges) {
    checkNumber(n, 'chooseVariation n');
    if (!Array.isArray(ranges)) throw new TypeError('tagwise: experiments.chooseVariation ranges must be an array');
    for (const r of ranges) checkRange(r, 'chooseVariation range');
    return this.#wasm.module.experimentChooseVariation(n, ranges);
  }

  /** GrowthBook's inNamespace(hashValue, [namespaceId, start, end]). */
  inNamespace(hashValue, namespace) {
    checkString(hashValue, 'inNamespace hash value');
    if (!Array.isArray(namespace) || typeof namespace[0] !== 'string' || typeof namespace[1] !== 'number'
      || typeof namespace[2] !== 'number') {
      throw new TypeError('tagwise: experiments.inNamespace needs [namespaceId, start, end]');
    }
    return this.#wasm.module.experimentInNamespace(hashValue, namespace[0], namespace[1], namespace[2]);
  }
}

/** Counts users and converted users per variation from many users' results(). */
function aggregateResults({ experiment, results, metric = 'conversion', confidence, minConversions }) {
  if (typeof experiment !== 'string') throw new TypeError('tagwise: experiments.report: "experiment" must be the experiment key');
  if (!Array.isArray(results)) throw new TypeError('tagwise: experiments.report: "results" must be a list of results()');
  const byVariation = new Map(); // variation index -> { id, users, conversions }
  results.forEach((res, i) => {
    if (res === null || typeof res !== 'object' || !Array.isArray(res.assignments)) {
      throw new TagwiseError([{ code: 'wrong_argument_type', path: `/results/${i}`, message: 'each result must be a results() object', severity: 'error' }]);
    }
    const a = res.assignments.find((x) => x.experiment === experiment);
    if (a === undefined) return;
    const converted = (res.conversions ?? []).some((c) => c.experiment === experiment && c.metric === metric);
    const v = byVariation.get(a.variation) ?? { id: String(a.variationKey ?? a.variation), users: 0, conversions: 0 };
    v.users += 1;
    if (converted) v.conversions += 1;
    byVariation.set(a.variation, v);
  });
  const variations = [...byVariation.entries()].sort((x, y) => x[0] - y[0]).map(([, v]) => v);
  const out = { variations };
  if (confidence !== undefined) out.confidence = confidence;
  if (minConversions !== undefined) out.minConversions = minConversions;
  return out;
}
