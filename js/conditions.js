// tw.evaluateCondition: GrowthBook's MongoDB-style targeting conditions
// (DESIGN.md section 7), compiled by the C++ core into the same plan as rules
// (core/include/tagwise/condition.h) and evaluated there. The answer is the
// one GrowthBook's evalCondition(attributes, condition, savedGroups) gives;
// malformed conditions (unknown operators, bad regexes, ...) throw a
// TagwiseError whose path points into the condition instead of quietly
// returning false.

import { copyBytesIn, dataToText, ruleToText } from './codec.js';
import { TagwiseError } from './errors.js';

const encoder = new TextEncoder();

function isPlainObject(x) {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * Evaluates one condition on the attributes. `module` is the loaded wasm
 * module; `options.savedGroups` is GrowthBook's savedGroups payload (for
 * $inGroup, $notInGroup and $savedGroup). Returns true or false; throws a
 * TypeError for arguments of the wrong kind and a TagwiseError listing every
 * problem of a malformed condition.
 */
export function evaluateCondition(module, condition, attributes, options) {
  if (!isPlainObject(condition)) {
    throw new TypeError('tagwise: evaluateCondition(condition) needs a condition object, e.g. { country: "CN" }');
  }
  if (!isPlainObject(attributes)) {
    throw new TypeError('tagwise: evaluateCondition(condition, attributes) needs an attributes object');
  }
  if (options !== undefined && options !== null && typeof options !== 'object') {
    throw new TypeError('tagwise: evaluateCondition options must be an object');
  }
  const savedGroups = options?.savedGroups;
  if (savedGroups !== undefined && savedGroups !== null && !isPlainObject(savedGroups)) {
    throw new TypeError('tagwise: options.savedGroups must be an object of group ids, e.g. { beta: ["u1"] }');
  }
  const texts = [
    ruleToText(condition),
    dataToText(attributes, 'attributes'),
    savedGroups == null ? '' : dataToText(savedGroups, 'saved groups'),
  ];
  const spans = [];
  let result;
  try {
    for (const text of texts) spans.push(text === '' ? [0, 0] : copyBytesIn(module, encoder.encode(text)));
    const [[cp, cl], [ap, al], [gp, gl]] = spans;
    result = JSON.parse(module.evaluateCondition(cp, cl, ap, al, gp, gl));
  } finally {
    for (const [ptr] of spans) if (ptr !== 0) module._free(ptr);
  }
  if (!result.ok) throw new TagwiseError(result.errors);
  return result.value;
}
