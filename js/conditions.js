// tw.evaluateCondition / tw.validateCondition: GrowthBook's MongoDB-style
// targeting conditions (DESIGN.md section 7), compiled by the C++ core into
// the same plan as rules (core/include/tagwise/condition.h) and evaluated
// there. The answer is the one GrowthBook's evalCondition(attributes,
// condition, savedGroups) gives, malformed conditions included (an unknown
// operator, $in without a list, a bad regex: evaluated exactly as GrowthBook
// evaluates them, and where GrowthBook's own code throws, not matching);
// each problem is reported, with its JSON Pointer, through the instance's
// diagnostics (onError). validateCondition is the strict check: every
// problem as an error, nothing evaluated.

import { copyBytesIn, dataToText, ruleToText } from './codec.js';
import { TagwiseError } from './errors.js';

const encoder = new TextEncoder();

// Distinct malformed conditions remembered per instance, so one bad condition
// evaluated for every visitor is reported once, not once per call.
const MAX_REMEMBERED = 256;

function isPlainObject(x) {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function checkSavedGroups(options, call) {
  if (options !== undefined && options !== null && typeof options !== 'object') {
    throw new TypeError(`tagwise: ${call} options must be an object`);
  }
  const savedGroups = options?.savedGroups;
  if (savedGroups !== undefined && savedGroups !== null && !isPlainObject(savedGroups)) {
    throw new TypeError('tagwise: options.savedGroups must be an object of group ids, e.g. { beta: ["u1"] }');
  }
  return savedGroups == null ? '' : dataToText(savedGroups, 'saved groups');
}

/** Copies the texts into wasm memory, calls fn(...spans) and frees them. */
function withTexts(module, texts, fn) {
  const spans = [];
  try {
    for (const text of texts) spans.push(text === '' ? [0, 0] : copyBytesIn(module, encoder.encode(text)));
    return fn(...spans.flat());
  } finally {
    for (const [ptr] of spans) if (ptr !== 0) module._free(ptr);
  }
}

/**
 * Returns report(problems, key, detail): sends one `malformed_condition`
 * diagnostic per distinct key (the condition's text) through `send(code,
 * message, detail)` (Tagwise's #report: diagnostics() and onError).
 */
export function conditionReporter(send) {
  const seen = new Set();
  return (problems, key, detail = {}) => {
    if (problems.length === 0 || seen.has(key)) return;
    if (seen.size >= MAX_REMEMBERED) seen.clear();
    seen.add(key);
    const first = problems[0];
    const where = detail.experiment === undefined ? 'a condition' : `experiment "${detail.experiment}"'s condition`;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    send('malformed_condition',
      `tagwise: ${where} is malformed and was evaluated as GrowthBook does: ${first.message} at "${first.path}"${more}`,
      { ...detail, problems });
  };
}

/**
 * Evaluates one condition on the attributes. `module` is the loaded wasm
 * module; `options.savedGroups` is GrowthBook's savedGroups payload (for
 * $inGroup, $notInGroup and $savedGroup); `report` is a conditionReporter.
 * Returns true or false, as GrowthBook does even for a malformed condition
 * (whose problems go to `report`); throws a TypeError for arguments of the
 * wrong kind and a TagwiseError for values JSON cannot carry (NaN, ...).
 */
export function evaluateCondition(module, condition, attributes, options, report) {
  if (!isPlainObject(condition)) {
    throw new TypeError('tagwise: evaluateCondition(condition) needs a condition object, e.g. { country: "CN" }');
  }
  if (!isPlainObject(attributes)) {
    throw new TypeError('tagwise: evaluateCondition(condition, attributes) needs an attributes object');
  }
  const groupsText = checkSavedGroups(options, 'evaluateCondition');
  const conditionText = ruleToText(condition);
  const result = JSON.parse(withTexts(module, [conditionText, dataToText(attributes, 'attributes'), groupsText],
    (cp, cl, ap, al, gp, gl) => module.evaluateCondition(cp, cl, ap, al, gp, gl)));
  if (!result.ok) throw new TagwiseError(result.errors);
  if (result.warnings.length > 0 && report) report(result.warnings, conditionText);
  return result.value;
}

/**
 * Every problem of a condition (errors and warnings, each with its JSON
 * Pointer), checked strictly: what evaluateCondition evaluates as GrowthBook
 * does is an error here. An empty array for a good condition.
 */
export function validateCondition(module, condition, options) {
  const groupsText = checkSavedGroups(options, 'validateCondition');
  let conditionText;
  try {
    conditionText = ruleToText(condition);
  } catch (e) {
    if (e instanceof TagwiseError) return e.errors;
    throw e;
  }
  const result = JSON.parse(withTexts(module, [conditionText, groupsText],
    (cp, cl, gp, gl) => module.validateCondition(cp, cl, gp, gl)));
  return result.problems;
}
