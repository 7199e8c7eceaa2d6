// tw.experiments: GrowthBook-compatible bucketing (DESIGN.md section 7). The
// functions reproduce GrowthBook's hash, getBucketRanges, chooseVariation and
// inNamespace exactly (computed by the core, core/src/experiments.cpp), so the
// same user lands in the same variation in tagwise and in GrowthBook; like
// GrowthBook, bucketRanges falls back to equal weights for weights of the
// wrong length or not summing to 1 and clamps coverage to [0, 1]. Wrong
// argument types are TypeErrors.

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

export class Experiments {
  #module;

  constructor(module) {
    this.#module = module;
  }

  /** GrowthBook's hash(seed, value, version): a number in [0, 1), or null for a version other than 1 or 2. */
  hash(seed, value, version) {
    checkString(seed, 'hash seed');
    checkString(value, 'hash value');
    if (version !== 1 && version !== 2) return null;
    return this.#module.experimentHash(seed, value, version);
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
    return this.#module.experimentBucketRanges(Math.max(numVariations, -1), coverage, weights ?? null);
  }

  /** GrowthBook's chooseVariation(n, ranges): the index of the range holding n, or -1. */
  chooseVariation(n, ranges) {
    checkNumber(n, 'chooseVariation n');
    if (!Array.isArray(ranges)) throw new TypeError('tagwise: experiments.chooseVariation ranges must be an array');
    for (const r of ranges) checkRange(r, 'chooseVariation range');
    return this.#module.experimentChooseVariation(n, ranges);
  }

  /** GrowthBook's inNamespace(hashValue, [namespaceId, start, end]). */
  inNamespace(hashValue, namespace) {
    checkString(hashValue, 'inNamespace hash value');
    if (!Array.isArray(namespace) || typeof namespace[0] !== 'string' || typeof namespace[1] !== 'number'
      || typeof namespace[2] !== 'number') {
      throw new TypeError('tagwise: experiments.inNamespace needs [namespaceId, start, end]');
    }
    return this.#module.experimentInNamespace(hashValue, namespace[0], namespace[1], namespace[2]);
  }
}
