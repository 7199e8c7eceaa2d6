// @generated-by: this script. Regenerates tests/fixtures/community_expected_differences.json.
//
// The community JsonLogic suites (../shared/conformance/jsonlogic/community) sometimes
// contradict json-logic-js, the reference implementation. tagwise follows
// json-logic-js there. This script runs json-logic-js on every community case and
// lists, by file and "<case number>: <description>" (descriptions repeat), each case where json-logic-js returns a value
// different from the suite's expectation (or returns a value where the suite
// expects an error), together with json-logic-js's answer, which the conformance
// tests then require tagwise to reproduce. Cases json-logic-js cannot run at all
// (operators it lacks: val, ??, exists, try, throw, preserve) are not listed:
// for those tagwise follows the community suite.
//
// Usage: node tools/gen_community_differences.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import jsonLogic from 'json-logic-js';

const root = new URL('../../shared/conformance/jsonlogic/community/', import.meta.url);
const out = new URL('../tests/fixtures/community_expected_differences.json', import.meta.url);

// JSON cannot hold NaN/Infinity/undefined: encode them as {"$js": "..."}.
function encode(v) {
  if (v === undefined) return { $js: 'undefined' };
  if (typeof v === 'number' && !Number.isFinite(v)) return { $js: String(v) };
  if (Array.isArray(v)) return v.map(encode);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
  return v;
}

function same(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => same(a[k], b[k]));
  }
  return a === b;
}

const index = JSON.parse(readFileSync(new URL('index.json', root), 'utf8'));
const result = {};
let listed = 0, total = 0;
for (const file of index) {
  const cases = JSON.parse(readFileSync(new URL(file, root), 'utf8')).filter((c) => typeof c !== 'string');
  for (const [n, c] of cases.entries()) {
    total++;
    let value, threw = false;
    try {
      value = jsonLogic.apply(c.rule, c.data === undefined ? {} : c.data);
    } catch {
      threw = true;
    }
    if (threw) continue;  // json-logic-js cannot run it: tagwise follows the suite
    const expectsError = 'error' in c;
    if (!expectsError && same(value, c.result)) continue;
    const reason = expectsError
      ? `the suite expects an error (${JSON.stringify(c.error)}); json-logic-js returns a value`
      : `json-logic-js returns ${JSON.stringify(encode(value))}; the suite expects ${JSON.stringify(c.result)}`;
    (result[file] ??= {})[`${n}: ${c.description}`] = { reason, jsonlogic_js: encode(value) };
    listed++;
  }
}
writeFileSync(out, JSON.stringify({
  '@generated': 'by tools/gen_community_differences.mjs from ../shared/conformance/jsonlogic/community with json-logic-js 2.0.5',
  differences: result,
}, null, 1) + '\n');
console.log(`${listed} of ${total} community cases contradict json-logic-js; written to ${out.pathname}`);
