// Differential testing against json-logic-js (issue 9): a seeded generator of
// random well-formed JsonLogic rules over the standard operations (`log`
// excluded) and random data, each evaluated by json-logic-js (the reference
// implementation, DESIGN.md §4) and by tagwise; the answers must be the same.
//
// Every class of disagreement found is either a deliberate, listed difference
// (tests/js/jsonlogic_differences.md, one row per class, each pinned by a
// focused test at the end of this file; the generator then avoids or
// normalises exactly that class, with a comment naming the row), or a tagwise
// bug kept here as a `todo` test with its repro until it is fixed.
//
// Seeded and deterministic (mulberry32). The default run is 10,000 cases
// (about 2 s); longer runs, and known bugs counted as failures:
//   TAGWISE_DIFF_SEED=7 TAGWISE_DIFF_CASES=200000 node --test tests/js/jsonlogic_differential.test.mjs
//   TAGWISE_DIFF_STRICT=1 node --test tests/js/jsonlogic_differential.test.mjs
// The run prints the seed, how many cases agree and how many fall in each
// known class (with a shrunk example); a failure prints the case number and a
// shrunk repro (rule + data + both answers) for each unexplained disagreement
// (TAGWISE_DIFF_REPORT=n for more than 20).
//
// Comparison (see `same`): rules and data are handed to both sides as JSON
// (JSON.parse(JSON.stringify(…)), as tagwise's API serializes them), and the
// answers are compared exactly — numbers with Object.is, so NaN equals NaN,
// -0 differs from 0 and ±Infinity must match, since tagwise's results keep
// them (js/index.d.ts, RuleResult) — except that json-logic-js's `undefined`
// counts as null (row D1).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { createTagwise, TagwiseError } from 'tagwise';

import { Gen } from './helpers.mjs';

const jsonLogic = createRequire(import.meta.url)('json-logic-js');

const SEED = Number(process.env.TAGWISE_DIFF_SEED ?? 20261123) >>> 0;
const CASES = Number(process.env.TAGWISE_DIFF_CASES ?? 10000);
const MAX_REPORTED = Number(process.env.TAGWISE_DIFF_REPORT ?? 20);

// ---------------------------------------------------------------------------
// Values

const NUMBERS = [0, 0, 1, 1, 2, 3, 5, 10, 100, -1, -2, -7, 0.5, 1.5, -2.5, 0.1, 0.2, 3.14,
  1e21, 1e-7, 123456789, 2 ** 53, -1e-7, 42];
const STRINGS = ['', '', 'a', 'b', 'abc', 'A', '0', '1', '2', '10', '-3', '1.5', ' 7 ', '1e3', '0x10',
  'Infinity', '中文', '用户', '张三abc', 'true', 'false', 'null', 'a,b', '1,2', '[object Object]',
  'x', 'obj', 'arr', '😀a', 'é', '-0', '01', '.5', '5.', '+5', ' ', '\t1\n', 'NaN', '-Infinity', '1e400',
  '0b11', '0o7', '1_000', '12abc', '３', 'B', 'ab', 'a.b'];

/** A random double of any magnitude (number formatting in `cat`, arithmetic). */
function anyNumber(g) {
  const r = g.rand();
  if (r < 0.3) return g.int(-1000, 1000);
  if (r < 0.6) return Math.round((g.rand() - 0.5) * 2000) / 100;
  if (r < 0.9) return (g.rand() - 0.5) * 10 ** g.int(-12, 25);
  return g.pick([5e-324, 1.7976931348623157e308, 2 ** 31, -(2 ** 31), 2 ** 32, 1e16, 1 / 3, 0.1 + 0.2, 123e-20, 1e300]);
}
// Keys of data objects. No key names an Object.prototype property (row D2).
const KEYS = ['a', 'b', 'c', 'n', 's', 'x', 'y', 'arr', 'obj', 'list', '用户', '名字', '0', '1', 'length'];

function scalar(g) {
  const r = g.rand();
  if (r < 0.3) return g.pick(NUMBERS);
  if (r < 0.4) return anyNumber(g);
  if (r < 0.75) return g.pick(STRINGS);
  if (r < 0.9) return g.chance(0.5);
  return null;
}

function value(g, depth) {
  const r = g.rand();
  if (depth <= 0 || r < 0.6) return scalar(g);
  if (r < 0.82) return Array.from({ length: g.int(0, 4) }, () => value(g, depth - 1));
  return object(g, depth - 1, g.int(0, 4));
}

function object(g, depth, n) {
  const o = {};
  for (let i = 0; i < n; i++) o[g.pick(KEYS)] = value(g, depth);
  return o;
}

/** A record: an object with the usual keys, arrays for the iterators, nested objects for paths. */
function data(g) {
  if (g.chance(0.05)) return value(g, 2); // occasionally not an object at all
  const d = object(g, 2, g.int(0, 6));
  if (g.chance(0.7)) d.arr = Array.from({ length: g.int(0, 5) }, () => (g.chance(0.8) ? g.pick(NUMBERS) : scalar(g)));
  if (g.chance(0.5)) d.list = Array.from({ length: g.int(0, 4) }, () => object(g, 1, g.int(0, 3)));
  if (g.chance(0.5)) d.obj = object(g, 2, g.int(0, 4));
  return d;
}

// ---------------------------------------------------------------------------
// Rules

const PATHS = {
  top: ['a', 'b', 'c', 'n', 's', 'x', 'arr', 'arr.0', 'arr.1', 'arr.9', 'arr.length', 'obj', 'obj.a',
    'obj.x', 'obj.x.y', 'obj.arr.0', 'list', 'list.0', 'list.0.x', 'list.1.a', 's.0', 's.length',
    '用户', '用户.名字', 'missing', 'a.b', '0', '1', 'length', 0, 1, ''],
  elem: ['', '', 'x', 'y', 'a', '0', '1', 'length', 'x.y', 'missing', 0],
  reduce: ['current', 'current', 'accumulator', 'accumulator', 'current.x', 'accumulator.0', 'current.0',
    'accumulator.length', 'x', ''],
};

const literal = scalar;

function varRule(g, scope, depth) {
  const path = g.pick(PATHS[scope]);
  const r = g.rand();
  if (r < 0.35) return { var: path };
  if (r < 0.55) return { var: [path] };
  if (r < 0.85) return { var: [path, g.chance(0.7) ? literal(g) : expr(g, scope, depth - 1)] };
  if (r < 0.9) return { var: [] };
  // A computed path.
  return { var: [{ if: [expr(g, scope, depth - 1), g.pick(PATHS[scope]), g.pick(PATHS[scope])] }] };
}

function args(g, scope, depth, lo, hi) {
  return Array.from({ length: g.int(lo, hi) }, () => expr(g, scope, depth - 1));
}

/** An expression that is usually an array (for iterators, merge, in). */
function arrayish(g, scope, depth) {
  const r = g.rand();
  if (scope === 'top' && r < 0.45) return { var: g.pick(['arr', 'arr', 'list', 'list', 'obj.arr', 'a']) };
  if (r < 0.6) return Array.from({ length: g.int(0, 4) }, () => (g.chance(0.7) ? literal(g) : expr(g, scope, depth - 1)));
  if (r < 0.75) return { merge: args(g, scope, depth, 0, 3) };
  if (r < 0.85) return { map: [arrayish(g, scope, depth - 1), expr(g, 'elem', depth - 1)] };
  return expr(g, scope, depth - 1);
}

function keysArg(g) {
  const keys = () => Array.from({ length: g.int(0, 3) }, () => g.pick([...PATHS.top.filter((p) => typeof p === 'string'), '']));
  return keys();
}

const OPS = [
  ['var', 6], ['missing', 1], ['missing_some', 1], ['if', 3], ['?:', 1], ['==', 2], ['===', 2], ['!=', 1],
  ['!==', 1], ['!', 1], ['!!', 1], ['or', 2], ['and', 2], ['>', 2], ['>=', 1], ['<', 2], ['<=', 1],
  ['max', 1], ['min', 1], ['+', 2], ['-', 2], ['*', 1], ['/', 1], ['%', 1], ['map', 1], ['filter', 1],
  ['reduce', 1], ['all', 1], ['some', 1], ['none', 1], ['merge', 1], ['in', 2], ['cat', 2], ['substr', 2],
];
const OP_TABLE = OPS.flatMap(([op, w]) => Array(w).fill(op));

/** One argument that is either an array `[x]` or, for unary forms, the bare `x` (json-logic-js wraps it). */
function unary(g, x) {
  return !Array.isArray(x) && g.chance(0.3) ? x : [x];
}

/** One operation over leaves (literals, literal lists, reads): the coercion tables, densely. */
function shallow(g) {
  const op = g.pick(Object.keys(ARITY).filter((o) => !['var', 'missing', 'missing_some', 'map', 'filter', 'reduce', 'all', 'some', 'none'].includes(o)));
  const [lo, hi] = ARITY[op];
  const leaf = () => {
    const r = g.rand();
    if (r < 0.5) return scalar(g);
    if (r < 0.65) return Array.from({ length: g.int(0, 3) }, () => scalar(g));
    return varRule(g, 'top', 1);
  };
  return { [op]: Array.from({ length: g.int(lo, Math.min(hi, lo + 2)) }, leaf) };
}

function expr(g, scope, depth) {
  if (depth <= 0 || g.chance(0.22)) return g.chance(0.45) ? literal(g) : varRule(g, scope, depth);
  const op = g.pick(OP_TABLE);
  const sub = (s = scope) => expr(g, s, depth - 1);
  switch (op) {
    case 'var': return varRule(g, scope, depth);
    case 'missing': {
      const r = g.rand();
      if (r < 0.6) return { missing: keysArg(g) };
      if (r < 0.75) return { missing: g.pick(PATHS.top.filter((p) => typeof p === 'string')) };
      if (r < 0.9) return { missing: [keysArg(g)] };
      return { missing: { merge: [keysArg(g), keysArg(g)] } };
    }
    case 'missing_some': return { missing_some: [g.int(0, 3), keysArg(g)] };
    case 'if': case '?:': return { [op]: args(g, scope, depth, op === 'if' ? 0 : 3, op === 'if' ? 7 : 3) };
    case '==': case '===': case '!=': case '!==': case '>': case '>=': case 'in':
      return { [op]: op === 'in' && g.chance(0.5) ? [sub(), arrayish(g, scope, depth)] : args(g, scope, depth, 2, 2) };
    case '<': case '<=': return { [op]: args(g, scope, depth, 2, 3) };
    case '!': case '!!': return { [op]: unary(g, sub()) };
    case 'or': case 'and': return { [op]: args(g, scope, depth, 1, 4) };
    case 'max': case 'min': return { [op]: args(g, scope, depth, 0, 4) };
    case '+': return { [op]: args(g, scope, depth, 0, 4) };
    case '*': return { [op]: args(g, scope, depth, 1, 4) };
    case '-': return { [op]: args(g, scope, depth, 1, 2) };
    case '/': case '%': return { [op]: args(g, scope, depth, 2, 2) };
    case 'cat': return { [op]: args(g, scope, depth, 0, 4) };
    case 'substr': return { [op]: args(g, scope, depth, 1, 3) };
    case 'merge': return { merge: Array.from({ length: g.int(0, 3) }, () => (g.chance(0.5) ? arrayish(g, scope, depth) : sub())) };
    case 'map': case 'filter': case 'all': case 'some': case 'none':
      return { [op]: [arrayish(g, scope, depth), sub('elem')] };
    case 'reduce': {
      const r = [arrayish(g, scope, depth), sub('reduce')];
      if (g.chance(0.8)) r.push(g.chance(0.6) ? literal(g) : sub());
      return { reduce: r };
    }
    default: throw new Error(op);
  }
}

// ---------------------------------------------------------------------------
// Well-formedness (what the generator writes; the shrinker keeps to it)

const ARITY = {
  var: [0, 2], missing: [0, Infinity], missing_some: [2, 2], if: [0, Infinity], '?:': [3, 3],
  '==': [2, 2], '===': [2, 2], '!=': [2, 2], '!==': [2, 2], '>': [2, 2], '>=': [2, 2], '<': [2, 3], '<=': [2, 3],
  '!': [1, 1], '!!': [1, 1],
  or: [1, Infinity], and: [1, Infinity], // never empty: row D1
  max: [0, Infinity], min: [0, Infinity], '+': [0, Infinity],
  '*': [1, Infinity], // never empty: row D4
  '-': [1, 2], '/': [2, 2], '%': [2, 2], cat: [0, Infinity], substr: [1, 3], merge: [0, Infinity], in: [2, 2],
  map: [2, 2], filter: [2, 2], all: [2, 2], some: [2, 2], none: [2, 2], reduce: [2, 3],
};

function wellFormed(rule) {
  if (Array.isArray(rule)) return rule.every(wellFormed);
  if (rule === null || typeof rule !== 'object') return true;
  const keys = Object.keys(rule);
  if (keys.length !== 1 || !Object.hasOwn(ARITY, keys[0])) return false;
  const op = keys[0];
  const list = Array.isArray(rule[op]) ? rule[op] : [rule[op]];
  const [lo, hi] = ARITY[op];
  if (list.length < lo || list.length > hi) return false;
  if (op === 'missing_some' && !(Array.isArray(list[1]) && list[1].every((k) => typeof k === 'string'))) return false;
  return list.every(wellFormed);
}

// ---------------------------------------------------------------------------
// Comparing

// Rules and data reach tagwise as JSON (-0 becomes 0, NaN/±Infinity null): row D5.
const jsonCopy = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

/** Exact equality of results: Object.is for numbers; json-logic-js's undefined is null (row D1). */
function same(a, b) {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
  }
  return a === b;
}

function show(v) {
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return 'a function';
  return JSON.stringify(v, (_, x) => {
    if (typeof x !== 'number') return x;
    if (Object.is(x, -0)) return '«-0»';
    return Number.isFinite(x) ? x : `«${x}»`;
  });
}

function run(fn) {
  try {
    return { value: fn() };
  } catch (error) {
    return { error };
  }
}

function showOutcome(o) {
  return 'error' in o ? `throws ${o.error?.code ?? o.error?.name ?? ''}: ${o.error?.message ?? o.error}` : show(o.value);
}

/** Two outcomes agree: both threw, or both returned the same value. */
function agree(ref, got) {
  if ('error' in ref || 'error' in got) return 'error' in ref && 'error' in got;
  return same(ref.value, got.value);
}

// A second, independent json-logic-js instance with some operations replaced:
// the known classes of disagreement are recognised by whether the replaced
// reference reproduces tagwise's answer.
function patchedJsonLogic(ops) {
  const require = createRequire(import.meta.url);
  const path = require.resolve('json-logic-js');
  const saved = require.cache[path];
  delete require.cache[path];
  const copy = require('json-logic-js');
  require.cache[path] = saved;
  for (const [name, fn] of Object.entries(ops)) copy.add_operation(name, fn);
  return copy;
}

// Row D3: json-logic-js's substr with the length computed as a number.
const substrNumericEnd = patchedJsonLogic({
  substr(source, start, end) {
    if (end < 0) {
      const temp = String(source).substr(start);
      return temp.substr(0, temp.length + Number(end));
    }
    return String(source).substr(start, end);
  },
});

// Row D6: json-logic-js where a string cut inside a surrogate pair (substr, or
// a `var` path indexing a string) has the half read as U+FFFD.
const wellFormed16 = (v) => (typeof v === 'string' ? v.toWellFormed() : v);
const cutsWellFormed = patchedJsonLogic({
  var(a, b) {
    const notFound = b === undefined ? null : b;
    let data = this;
    if (typeof a === 'undefined' || a === '' || a === null) return data;
    for (const p of String(a).split('.')) {
      if (data === null || data === undefined) return notFound;
      data = data[p];
      if (data === undefined) return notFound;
    }
    return wellFormed16(data);
  },
  substr(source, start, end) {
    let out;
    if (end < 0) {
      const temp = String(source).substr(start);
      out = temp.substr(0, temp.length + end);
    } else {
      out = String(source).substr(start, end);
    }
    return out.toWellFormed();
  },
});

// Row D7: json-logic-js where no two values are ever the same object (every
// `var` answers a fresh copy), i.e. identity does not survive a built value.
const noIdentity = patchedJsonLogic({
  var(a, b) {
    const notFound = b === undefined ? null : b;
    let data = this;
    if (typeof a === 'undefined' || a === '' || a === null) return structuredClone(data);
    for (const p of String(a).split('.')) {
      if (data === null || data === undefined) return notFound;
      data = data[p];
      if (data === undefined) return notFound;
    }
    return structuredClone(data);
  },
});

/**
 * Known classes of disagreement, tried in order when tagwise and json-logic-js
 * disagree. `deliberate` rows are in tests/js/jsonlogic_differences.md; `bug`
 * rows are tagwise bugs with a todo test below.
 */
const KNOWN = [
  { id: 'D3', kind: 'deliberate', what: 'substr: a negative length that is not a number', explains: (tw, rule, data, got) => agree(run(() => substrNumericEnd.apply(rule, data)), got) },
  { id: 'D6', kind: 'deliberate', what: 'a string cut inside a surrogate pair gives U+FFFD', explains: (tw, rule, data, got) => agree(run(() => cutsWellFormed.apply(rule, data)), got) },
  { id: 'D7', kind: 'deliberate', what: 'values the rule builds are never the same object as the data read', explains: (tw, rule, data, got) => agree(run(() => noIdentity.apply(rule, data)), got) },
];
const STRICT = process.env.TAGWISE_DIFF_STRICT === '1'; // count known bugs as failures too

/** null when both agree, otherwise { ref, got, known? } (known: the KNOWN entry that explains it). */
function compare(tw, rule, record) {
  const ref = run(() => jsonLogic.apply(rule, record));
  const got = run(() => tw.evaluate(rule, record));
  if ('error' in got && !(got.error instanceof TagwiseError)) return { ref, got, crash: true };
  if (agree(ref, got)) return null;
  const known = KNOWN.find((k) => k.explains(tw, rule, record, got, ref));
  return { ref, got, known };
}

// ---------------------------------------------------------------------------
// Shrinking a disagreement to a small repro

function* smallerRules(rule) {
  if (Array.isArray(rule)) {
    for (let i = 0; i < rule.length; i++) {
      yield rule[i];
      yield [...rule.slice(0, i), ...rule.slice(i + 1)];
      for (const s of smallerRules(rule[i])) yield [...rule.slice(0, i), s, ...rule.slice(i + 1)];
    }
    return;
  }
  if (rule === null || typeof rule !== 'object') {
    if (rule !== null) yield null;
    return;
  }
  const [op] = Object.keys(rule);
  const vals = rule[op];
  const list = Array.isArray(vals) ? vals : [vals];
  for (const v of list) if (v !== null && typeof v === 'object') yield v;
  for (let i = 0; i < list.length; i++) {
    yield { [op]: [...list.slice(0, i), ...list.slice(i + 1)] };
    for (const s of smallerRules(list[i])) yield { [op]: [...list.slice(0, i), s, ...list.slice(i + 1)] };
  }
}

function* smallerData(d) {
  if (Array.isArray(d)) {
    for (let i = 0; i < d.length; i++) {
      yield [...d.slice(0, i), ...d.slice(i + 1)];
      for (const s of smallerData(d[i])) yield [...d.slice(0, i), s, ...d.slice(i + 1)];
    }
  } else if (d !== null && typeof d === 'object') {
    for (const k of Object.keys(d)) {
      const { [k]: _, ...rest } = d;
      yield rest;
      for (const s of smallerData(d[k])) yield { ...d, [k]: s };
    }
  }
}

/** Greedy shrinking that keeps the rule well-formed and the disagreement of the same class. */
function shrink(tw, rule, record, first) {
  const keeps = (diff) => diff && diff.known?.id === first.known?.id && !!diff.crash === !!first.crash
    && ('error' in diff.ref) === ('error' in first.ref);
  let r = rule;
  let d = record;
  for (let progress = true, rounds = 0; progress && rounds < 300; rounds++) {
    progress = false;
    for (const c of smallerRules(r)) {
      if (!wellFormed(c)) continue;
      if (keeps(compare(tw, c, d))) { r = c; progress = true; break; }
    }
    if (progress) continue;
    for (const c of smallerData(d)) {
      if (keeps(compare(tw, r, c))) { d = c; progress = true; break; }
    }
  }
  return { rule: r, data: d, diff: compare(tw, r, d) };
}

// ---------------------------------------------------------------------------
// The differential run

test(`tagwise agrees with json-logic-js on ${CASES} random rules (seed ${SEED})`, async () => {
  console.log(`jsonlogic differential: seed ${SEED}, ${CASES} cases (TAGWISE_DIFF_SEED / TAGWISE_DIFF_CASES to change)`);
  const tw = await createTagwise();
  const g = new Gen(SEED);
  const failures = [];
  const counts = Object.fromEntries(KNOWN.map((k) => [k.id, 0]));
  const examples = {};
  let unexplained = 0;
  let refThrew = 0;
  const seen = new Set();
  let rule;
  for (let n = 0; n < CASES; n++) {
    // Every other case evaluates the previous rule on new data: tw.evaluate
    // then reuses the compiled plan (its cache is keyed by the rule's text).
    if (n % 2 === 0) rule = jsonCopy(g.chance(0.3) ? shallow(g) : expr(g, 'top', g.int(1, 5)));
    const record = jsonCopy(data(g));
    if (!wellFormed(rule)) throw new Error(`the generator wrote a rule that is not well-formed: ${JSON.stringify(rule)}`);
    const diff = compare(tw, rule, record);
    if (diff === null) continue;
    if (diff.known && !(STRICT && diff.known.kind === 'bug')) {
      counts[diff.known.id]++;
      if (!examples[diff.known.id]) {
        const small = shrink(tw, rule, record, diff);
        examples[diff.known.id] = `${JSON.stringify(small.rule)} on ${JSON.stringify(small.data)}: `
          + `json-logic-js ${showOutcome(small.diff.ref)}, tagwise ${showOutcome(small.diff.got)}`;
      }
      continue;
    }
    if ('error' in diff.ref) refThrew++;
    unexplained++;
    if (failures.length >= MAX_REPORTED) continue;
    const small = shrink(tw, rule, record, diff);
    const key = JSON.stringify(small.rule);
    if (seen.has(key)) continue;
    seen.add(key);
    failures.push(`case ${n}: ${JSON.stringify(rule)} on ${JSON.stringify(record)}\n`
      + `  json-logic-js ${showOutcome(diff.ref)}; tagwise ${showOutcome(diff.got)}${diff.crash ? ' (not a TagwiseError)' : ''}${diff.known ? ` [${diff.known.id}]` : ''}\n`
      + `  shrunk: ${JSON.stringify(small.rule)} on ${JSON.stringify(small.data)}: `
      + `json-logic-js ${showOutcome(small.diff.ref)}; tagwise ${showOutcome(small.diff.got)}`);
  }
  const known = KNOWN.filter((k) => counts[k.id]).map((k) => `${k.id} (${k.kind}: ${k.what}) ${counts[k.id]}, e.g. ${examples[k.id]}`);
  const agreed = CASES - unexplained - Object.values(counts).reduce((a, b) => a + b, 0);
  console.log(`jsonlogic differential: ${agreed}/${CASES} agree; known differences: ${known.length ? `\n  ${known.join('\n  ')}` : 'none'}`);
  if (failures.length) console.log(`unexplained disagreements${refThrew ? ` (json-logic-js threw in ${refThrew})` : ''}:\n${failures.join('\n')}`);
  assert.equal(unexplained, 0, `seed ${SEED}: ${unexplained} unexplained disagreements (first ones above)`);
});

test('generated rules give the same answers one at a time and batched (compileRules + evaluateMany)', async () => {
  const tw = await createTagwise();
  const g = new Gen(SEED ^ 0x5eed);
  const rules = Array.from({ length: 400 }, () => jsonCopy(g.chance(0.3) ? shallow(g) : expr(g, 'top', g.int(1, 5))));
  const records = Array.from({ length: 8 }, () => jsonCopy(data(g)));
  const set = tw.compileRules(rules);
  try {
    const rows = set.evaluateMany(records);
    records.forEach((record, r) => rules.forEach((rule, i) => {
      const one = run(() => tw.evaluate(rule, record));
      const slot = rows[r][i];
      const batched = slot instanceof TagwiseError ? { error: slot } : { value: slot };
      assert.ok(agree(one, batched), `${JSON.stringify(rule)} on ${JSON.stringify(record)}: alone ${showOutcome(one)}, batched ${showOutcome(batched)}`);
    }));
  } finally {
    set.dispose();
  }
});

// ---------------------------------------------------------------------------
// The deliberate differences (tests/js/jsonlogic_differences.md): each pins
// tagwise's answer and json-logic-js's, so the table stays true for both.

/** json-logic-js's outcome, with undefined/functions kept as such. */
const reference = (rule, data) => run(() => jsonLogic.apply(rule, data));

// ---------------------------------------------------------------------------
// Growth-shaped rules (issue 24): rules whose work or result grows faster
// than their data (doubling in reduce, accumulation, products of lists,
// long substring searches), at sizes from trivial to astronomical. Small
// ones must agree with json-logic-js and must not hit the budget; huge ones
// (json-logic-js would hang or exhaust memory: it is not run) must stop with
// budget_exceeded or evaluation_limit, never crash or run away; the middle
// may do either. `work` is the case's size: steps or bytes, whichever grows.

const GROWTH_BUDGET = { maxSteps: 200_000, maxBuiltBytes: 1 << 20 };

function growthCase(g) {
  const list = (n) => Array.from({ length: n }, (_, i) => i % 7);
  const acc = { var: 'accumulator' };
  switch (g.int(0, 4)) {
    case 0: {  // a list or text doubled at every item
      const k = g.int(0, 40);
      const merge = g.chance(0.5);
      return {
        rule: { reduce: [{ var: 'a' }, merge ? { merge: [acc, acc] } : { cat: [acc, acc] }, merge ? [1] : 'ab'] },
        data: { a: list(k) },
        work: 2 ** k * 2,
      };
    }
    case 1: {  // text or list accumulated item by item
      const n = g.pick([0, 1, 5, 100, 2000, 50_000, 400_000]);
      const merge = g.chance(0.5);
      return {
        rule: { reduce: [{ var: 'a' }, merge ? { merge: [acc, [{ var: 'current' }]] } : { cat: [acc, { var: 'current' }] }, merge ? [] : ''] },
        data: { a: list(n) },
        work: n * 16,
      };
    }
    case 2: {  // a product of two lists (the inner one in the rule: inside map, var reads the item)
      const n = g.pick([0, 3, 50, 300, 3000]);
      const m = g.pick([0, 2, 40, 400, 4000]);
      const op = g.pick(['map', 'filter', 'some', 'all', 'none']);
      const inner = op === 'map' ? { map: [list(m), { '+': [{ var: '' }, 1] }] } : { some: [list(m), { '==': [{ var: '' }, -1] }] };
      return { rule: { [op]: [{ var: 'a' }, inner] }, data: { a: list(n) }, work: n * m * (op === 'map' ? 20 : 4) };
    }
    case 3: {  // substring search: a long needle that almost matches
      const h = g.pick([10, 1000, 100_000, 400_000]);
      const nl = g.pick([1, 10, 100, 5000]);
      const needle = `${'a'.repeat(Math.max(0, nl - 1))}b`;
      return { rule: { in: [{ var: 'n' }, { var: 'h' }] }, data: { n: needle, h: 'a'.repeat(h) }, work: h / 100 };
    }
    default: {  // nested map building lists of lists
      const n = g.pick([0, 2, 30, 500]);
      const m = g.pick([0, 2, 30, 500]);
      return {
        rule: { map: [{ var: 'a' }, { merge: [list(m), { var: '' }] }] },
        data: { a: list(n) },
        work: n * m * 16,
      };
    }
  }
}

test('growth-shaped rules agree with json-logic-js while small and stop at the budget when huge (issue 24)', async () => {
  const tw = await createTagwise({ limits: GROWTH_BUDGET });
  const g = new Gen(SEED ^ 0x24);
  const counts = { agreed: 0, stopped: 0, middle: 0 };
  for (let i = 0; i < 400; i++) {
    const { rule, data, work } = growthCase(g);
    let ours;
    try {
      ours = { value: tw.evaluate(rule, data) };
    } catch (e) {
      assert.ok(e instanceof TagwiseError, `case ${i}: ${JSON.stringify(rule).slice(0, 200)} threw ${e?.stack ?? e}`);
      assert.ok(['budget_exceeded', 'evaluation_limit'].includes(e.code), `case ${i}: ${e.code} ${e.message}`);
      ours = { error: e.code };
    }
    const small = work <= 10_000;
    const huge = work >= 100_000_000;
    if (small) {
      assert.ok(!('error' in ours), `case ${i}: a small growth case hit the budget: ${JSON.stringify(rule).slice(0, 200)}`);
      const want = jsonLogic.apply(rule, data);
      assert.ok(same(ours.value, want), `case ${i}: ${JSON.stringify(rule).slice(0, 200)}`);
      counts.agreed++;
    } else if (huge) {
      // Searching a text is linear: it finishes even at this size.
      if (!('in' in rule)) assert.ok('error' in ours, `case ${i}: a huge growth case finished: ${JSON.stringify(rule).slice(0, 200)}`);
      counts.stopped++;
    } else {
      counts.middle++;
    }
  }
  console.log(`# growth-shaped: ${counts.agreed} small agreed with json-logic-js, ${counts.stopped} huge stopped, ${counts.middle} in between`);
  assert.ok(counts.agreed > 50 && counts.stopped > 20, JSON.stringify(counts));
});

test('D1: and/or without arguments give null (json-logic-js: undefined, which JSON lacks)', async () => {
  const tw = await createTagwise();
  for (const op of ['and', 'or']) {
    assert.equal(reference({ [op]: [] }, {}).value, undefined);
    assert.equal(tw.evaluate({ [op]: [] }, {}), null);
  }
  // The null then behaves as null where json-logic-js's undefined would not.
  assert.equal(reference({ substr: ['abc', 0, { or: [] }] }, {}).value, 'abc'); // substr(0, undefined)
  assert.equal(tw.evaluate({ substr: ['abc', 0, { or: [] }] }, {}), ''); // substr(0, null)
  assert.equal(reference({ '-': [3, { and: [] }] }, {}).value, -3); // unary minus: b === undefined
  assert.equal(tw.evaluate({ '-': [3, { and: [] }] }, {}), 3); // 3 - null
});

test('D2: names of JavaScript built-in properties are not data (json-logic-js reads Object.prototype)', async () => {
  const tw = await createTagwise();
  assert.equal(typeof reference({ var: 'toString' }, {}).value, 'function');
  assert.equal(tw.evaluate({ var: 'toString' }, {}), null);
  assert.equal(typeof reference({ var: 'constructor' }, { a: 1 }).value, 'function');
  assert.equal(tw.evaluate({ var: 'constructor' }, { a: 1 }), null);
  assert.equal(reference({ var: '__proto__' }, {}).value, Object.prototype);
  assert.equal(tw.evaluate({ var: '__proto__' }, {}), null);
  assert.deepEqual(reference({ missing: ['constructor', 'hasOwnProperty'] }, {}).value, []);
  assert.deepEqual(tw.evaluate({ missing: ['constructor', 'hasOwnProperty'] }, {}), ['constructor', 'hasOwnProperty']);
  assert.equal(tw.evaluate({ var: 'a.valueOf' }, { a: 5 }), null);
  // What JSON data does have is read as json-logic-js reads it: `length` of strings and arrays, string indexes.
  assert.equal(tw.evaluate({ var: 's.length' }, { s: '用户' }), 2);
  assert.equal(tw.evaluate({ var: 'l.length' }, { l: [1, 2, 3] }), 3);
  assert.equal(tw.evaluate({ var: 's.1' }, { s: 'abc' }), 'b');
});

test('D3: substr with a negative length that is a string or an array counts characters (json-logic-js concatenates strings)', async () => {
  const tw = await createTagwise();
  // json-logic-js: end < 0, then temp.length + end = 5 + "-2" = "5-2", NaN as a length: "".
  for (const end of ['-2', [-2], ['-2']]) {
    assert.equal(reference({ substr: ['abcdef', 1, end] }, {}).value, '', JSON.stringify(end));
    assert.equal(tw.evaluate({ substr: ['abcdef', 1, end] }, {}), 'bcd', JSON.stringify(end));
  }
  // A number is where both agree.
  assert.equal(reference({ substr: ['abcdef', 1, -2] }, {}).value, 'bcd');
  assert.equal(tw.evaluate({ substr: ['abcdef', 1, -2] }, {}), 'bcd');
  assert.equal(tw.evaluate({ substr: [{ var: 's' }, 0, { var: 'n' }] }, { s: '中文用户', n: '-1' }), '中文用');
});

test('D4: * without arguments is 1 with a wrong_argument_count warning (json-logic-js throws a TypeError)', async () => {
  const tw = await createTagwise();
  assert.throws(() => jsonLogic.apply({ '*': [] }, {}), TypeError);
  const rule = tw.compileRule({ '*': [] });
  assert.deepEqual(rule.warnings.map((w) => w.code), ['wrong_argument_count']);
  assert.equal(rule.evaluate({}), 1);
  assert.equal(tw.evaluate({ '*': { var: 'none' } }, {}), null); // one argument: returned as is, as in json-logic-js
  assert.equal(jsonLogic.apply({ '*': { var: 'none' } }, {}), null);
});

test('D5: rules and data are JSON: -0 becomes 0 and NaN/±Infinity null before evaluation (json-logic-js sees the JS values)', async () => {
  const tw = await createTagwise();
  assert.equal(jsonLogic.apply({ '/': [1, -0] }, {}), -Infinity);
  assert.equal(tw.evaluate({ '/': [1, -0] }, {}), Infinity);
  assert.equal(jsonLogic.apply({ '/': [1, { var: 'z' }] }, { z: -0 }), -Infinity);
  assert.equal(tw.evaluate({ '/': [1, { var: 'z' }] }, { z: -0 }), Infinity);
  assert.ok(Number.isNaN(jsonLogic.apply({ var: 'z' }, { z: NaN })));
  assert.equal(tw.evaluate({ var: 'z' }, { z: NaN }), null);
  assert.equal(jsonLogic.apply({ '==': [{ var: 'z' }, null] }, { z: Infinity }), false);
  assert.equal(tw.evaluate({ '==': [{ var: 'z' }, null] }, { z: Infinity }), true);
  // Computed -0, NaN and ±Infinity are kept exactly, as json-logic-js computes them.
  assert.ok(Object.is(tw.evaluate({ '*': [{ '-': [0] }] }, {}), -0));
  assert.equal(tw.evaluate({ '/': [1, { '-': [0] }] }, {}), -Infinity);
  assert.ok(Number.isNaN(tw.evaluate({ '%': [1, 0] }, {})));
});

test('D6: a string cut inside a surrogate pair (emoji) gives U+FFFD for the half (json-logic-js: a lone surrogate)', async () => {
  const tw = await createTagwise();
  // Lengths and positions count UTF-16 code units, as in json-logic-js.
  assert.equal(tw.evaluate({ substr: ['😀a', 2] }, {}), 'a');
  assert.equal(tw.evaluate({ var: 's.length' }, { s: '😀a' }), 3);
  // A cut inside the pair: json-logic-js returns the lone half, which UTF-8 text cannot hold.
  assert.equal(jsonLogic.apply({ substr: ['😀a', 1] }, {}), '\ude00a');
  assert.equal(tw.evaluate({ substr: ['😀a', 1] }, {}), '\ufffda');
  assert.equal(jsonLogic.apply({ var: 's.0' }, { s: '😀a' }), '\ud83d');
  assert.equal(tw.evaluate({ var: 's.0' }, { s: '😀a' }), '\ufffd');
  // So the two halves are equal and do not join back.
  const halves = [{ substr: ['😀', 0, 1] }, { substr: ['😀', 1] }];
  assert.equal(jsonLogic.apply({ '==': halves }, {}), false);
  assert.equal(tw.evaluate({ '==': halves }, {}), true);
  assert.equal(jsonLogic.apply({ cat: halves }, {}), '😀');
  assert.equal(tw.evaluate({ cat: halves }, {}), '\ufffd\ufffd');
});

// ---------------------------------------------------------------------------
// tagwise bugs found by the generator (each a todo test until fixed; then drop
// `todo`, drop its KNOWN entry above, and run with TAGWISE_DIFF_STRICT=1).

/** Asserts tagwise gives json-logic-js's answer on each [rule, data]. */
async function agreesWithJsonLogic(cases) {
  const tw = await createTagwise();
  for (const [rule, data] of cases) {
    const ref = reference(rule, data);
    const got = run(() => tw.evaluate(rule, data));
    assert.ok(agree(ref, got), `${JSON.stringify(rule)} on ${JSON.stringify(data)}: json-logic-js ${showOutcome(ref)}, tagwise ${showOutcome(got)}`);
  }
}

// B1-B3 were tagwise bugs, fixed; these pin the fixes (and core/compiler_test.cpp).
test('B1 (fixed): a literal array whose elements are all constant operations is evaluated, not returned as written', () => agreesWithJsonLogic([
  [[{ '+': [1, 2] }], {}], // json-logic-js [3]; tagwise [{"+":[1,2]}]
  [{ in: [3, [{ '+': [1, 2] }]] }, {}], // true; tagwise false
  [{ cat: [[{ '+': [1, 2] }]] }, {}], // "3"; tagwise "[object Object]"
  [{ map: [[{ cat: ['x'] }], { var: '' }] }, {}], // ["x"]
  [[1, [{ if: [] }]], {}], // [1, [null]]
]));

test('B2 (fixed): min and max order -0 below 0 as Math.min/Math.max do', () => agreesWithJsonLogic([
  [{ min: [0, { '-': [0] }] }, {}], // json-logic-js -0; tagwise 0
  [{ max: [{ '-': [0] }, 0] }, {}], // 0; tagwise -0
  [{ '/': [1, { min: [null, { '-': [null] }] }] }, {}], // -Infinity; tagwise Infinity
]));

test('B3 (fixed): * of several arguments reads each through parseFloat, which turns -0 into 0', () => agreesWithJsonLogic([
  [{ '*': [{ '-': [0] }, 1] }, {}], // json-logic-js 0; tagwise -0
  [{ '/': [1, { '*': [1, { '-': [0] }] }] }, {}], // Infinity; tagwise -Infinity
  [{ '*': ['0o7', -2, -2.5] }, {}], // -0 (the running product 0 * -2 = -0 is re-read as 0, then 0 * -2.5); tagwise 0
]));

// D7 (was bug B4, now deliberate): values a rule builds are values, never the
// data's own objects; values read directly keep their identity.
test('D7: arrays and values the rule builds hold copies, so a data object is not `in` them (json-logic-js: the same JS object)', async () => {
  const tw = await createTagwise();
  const cases = [
    [{ in: [{ var: 'o' }, [{ var: 'o' }]] }, { o: {} }],
    [{ in: [{ var: 'o' }, { merge: [{ var: 'o' }] }] }, { o: {} }],
    [{ in: [{ var: 'l.0' }, { filter: [{ var: 'l' }, true] }] }, { l: [{}] }],
    [{ in: [{ var: 'l.0' }, { map: [{ var: 'l' }, { var: '' }] }] }, { l: [{}] }],
    [{ '==': [{ var: 'o' }, { reduce: [[1], { var: 'accumulator' }, { var: 'o' }] }] }, { o: {} }],
  ];
  for (const [rule, data] of cases) {
    assert.equal(jsonLogic.apply(rule, data), true, `json-logic-js ${JSON.stringify(rule)}`);
    assert.equal(tw.evaluate(rule, data), false, `tagwise ${JSON.stringify(rule)}`);
    assert.equal(noIdentity.apply(rule, data), false, 'the normalised reference explains it');
  }
  // Identity of values read directly is JavaScript's in both.
  for (const op of ['==', '===']) {
    assert.equal(tw.evaluate({ [op]: [{ var: 'o' }, { var: 'o' }] }, { o: {} }), true);
    assert.equal(tw.evaluate({ [op]: [{ var: 'o' }, { var: 'p' }] }, { o: {}, p: {} }), false);
    assert.equal(jsonLogic.apply({ [op]: [{ var: 'o' }, { var: 'p' }] }, { o: {}, p: {} }), false);
  }
  assert.equal(tw.evaluate({ in: [{ var: 'l.0' }, { var: 'l' }] }, { l: [{}] }), true);
});
