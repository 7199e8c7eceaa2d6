// Differential test of tw.evaluateCondition against the real GrowthBook SDK
// (@growthbook/growthbook 1.8.0, dev dependency): thousands of generated
// MongoDB-style conditions (every operator, nesting, dotted paths into
// objects and arrays, mixed types, versions, Chinese and Greek text, regexes
// from a safe list, saved groups of every kind) on generated attributes must
// give GrowthBook's evalCondition result. Malformed conditions (non-list
// $in/$nin/$all, unknown "$" keys, invalid regexes, operands of the wrong
// type at every level, bad saved groups) must give GrowthBook's result too
// (where GrowthBook's own code throws a TypeError, tagwise does not match),
// each problem reported with its JSON Pointer through diagnostics(), and
// validateCondition() lists them strictly. Then the deliberate differences:
// a pattern the bounded engine will not run makes the whole condition not
// match, and a catastrophic regex returns at once. The package ships no JSON test cases of
// its own (its cases.json lives in the SDK repository), so there is no
// fixture suite to replay here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTagwise, TagwiseError } from 'tagwise';

import { prng } from '../../bench/prng.mjs';

process.env.NODE_ENV = 'production';
const { evalCondition } = await import('@growthbook/growthbook');

const SAVED_GROUPS = {
  vip: ['u1', 'u7', 7, true, '王者'],
  empty: [],
  countries: { type: 'list', values: ['CN', 'SG', 'cn'], attributeKey: 'country' },
  ids: { type: 'list', values: [1, 2, 3, 'u1'] },
  adults: { type: 'condition', condition: { age: { $gte: 18 } } },
  either: { type: 'condition', condition: { $or: [{ $savedGroup: { id: 'countries' } }, { $savedGroup: { id: 'adults' } }] } },
  loop: { type: 'condition', condition: { $or: [{ $savedGroup: { id: 'loop' } }, { vip: true }] } },
  noValues: { type: 'list', attributeKey: 'id' },
  future: { type: 'segment', values: [1] },
};
const GROUP_IDS = [...Object.keys(SAVED_GROUPS), 'missing'];

// Object keys are always emitted in this order, on both sides: GrowthBook
// compares literal objects by JSON.stringify text, where key order matters,
// and tagwise compares them by content (a documented difference).
const KEYS = ['a', 'b', 'age', 'country', 'tags', 'nums', 'version', 'name', 'items', 'user', '用户', 'n', 'vip', 'id'];
const PATHS = [...KEYS, 'user.age', 'user.name', 'user.tags', 'user.tags.0', 'items.0', 'items.1.sku', 'items.length',
  'tags.length', 'tags.0', 'user.address.city', 'missing', 'missing.deeper', 'a.b', 'name.length', 'n.0', '用户.城市'];
const ARRAY_PATHS = ['tags', 'nums', 'items', 'user.tags', 'b'];
const STRINGS = ['', 'a', 'A', 'abc', 'ABC', 'CN', 'cn', 'SG', '5', ' 5 ', '05', '1e1', '0x10', '-3', 'true', 'null',
  '1.2.3', 'v1.2.3', '1.10.0-beta', '2.0.0+build.7', '王者', '用户', '中文ABC', 'ΟΔΟΣ', 'ΣΑΣ', 'σας', 'İstanbul',
  'i̇stanbul', 'Straße', 'ǅ', 'ǆ', 'u1', 'u7', '[object Object]', 'a,b', '😀', '\uff01', 'x'];
const TAGS = ['a', 'A', 'CN', 'cn', 'u1', '王者', 'ΣΑΣ', 'σας', 1, 2, null, true];
const VERSIONS = ['1.2.3', '1.2.3-beta', '1.2.3-beta.2', '1.2.3-beta.10', 'v1.2.3', '1.2.3+build', '1.10.0', '1.9.0',
  '2', '2.0', '1.0.0-rc.1', '1.0.0-rc.10', '', '1.2.3.4', '中.1', 'v', '+x', '1-2-3', '1.2.3+a\nb', 10, 1.5, 0, null,
  true, ['1']];
// Patterns both engines run (no backreferences or lookaround), some with
// non-ASCII case mappings for $regexi, one catastrophic for backtracking
// engines on longer subjects than these.
const REGEXES = ['^a', 'b$', 'a.c', '[a-c]+', '^\\d+$', '中', '^v?1\\.', '(foo|bar)', 'x*', '^$', 'null', '^[A-Z]',
  '\\w+@\\w+', 'ß', 'σ', 'ς', 'İ', 'a{2,3}', '\\s', '.', '^.{2}$', '^[^a-z]*$', 'u\\d', 'ab|^c', '\\bCN\\b', 'true',
  '^1,2', 'object', '王', '(a+)+$', '[\\u4e00-\\u9fa5]+', 'Σ', 'ǆ', 'a/b', '\\/', '^(?:u|U)[17]$', '[^]', '\\u00e9'];
const TYPES = ['string', 'number', 'boolean', 'array', 'null', 'object', 'undefined'];

function generator(seed) {
  const rand = prng(seed);
  const int = (n) => Math.floor(rand() * n);
  const pick = (list) => list[int(list.length)];
  const chance = (p) => rand() < p;

  function scalar() {
    switch (int(6)) {
      case 0: return pick([0, 1, 2, 3, 5, 7, 10, 18, 42, -1, -3, 1.5, 0.1, 1e21, -0]);
      case 1: case 2: return pick(STRINGS);
      case 3: return chance(0.5);
      case 4: return null;
      default: return pick([18, 30, 'CN', 'u1', 7, '1.2.3', 'abc']);
    }
  }
  function object(depth) {
    const o = {};
    for (const k of KEYS) if (chance(0.25)) o[k] = value(depth + 1);
    return o;
  }
  function value(depth = 0) {
    const r = rand();
    if (depth > 2 || r < 0.6) return scalar();
    if (r < 0.85) return Array.from({ length: int(4) }, () => value(depth + 1));
    return object(depth);
  }
  function attributes() {
    const o = {};
    for (const k of KEYS) {
      if (!chance(0.65)) continue;
      switch (k) {
        case 'tags': o.tags = Array.from({ length: int(4) }, () => pick(TAGS)); break;
        case 'nums': o.nums = Array.from({ length: int(4) }, () => int(6)); break;
        case 'items': o.items = Array.from({ length: int(4) }, () => (chance(0.75)
          ? { sku: pick(['A1', 'B2', 'c3']), qty: int(5), tags: chance(0.5) ? [pick(TAGS)] : undefined } : scalar())); break;
        case 'user': o.user = { age: chance(0.8) ? int(60) : scalar(), name: pick(STRINGS), tags: [pick(TAGS)],
          address: chance(0.5) ? { city: pick(['上海', 'SG', '']) } : null }; break;
        case 'version': o.version = pick(VERSIONS); break;
        case 'age': o.age = chance(0.7) ? int(60) : scalar(); break;
        case 'country': o.country = chance(0.7) ? pick(['CN', 'SG', 'cn', 'US']) : scalar(); break;
        case 'id': o.id = pick(['u1', 'u7', 'U1', 7, 1, 'x', true, null]); break;
        case '用户': o['用户'] = chance(0.5) ? { 城市: pick(['上海', '北京']) } : value(1); break;
        default: o[k] = value(1);
      }
    }
    return JSON.parse(JSON.stringify(o)); // JSON data only
  }

  function operatorObject(depth) {
    const o = {};
    const n = chance(0.8) ? 1 : 2;
    for (let i = 0; i < n; i++) {
      const [op, arg] = operator(depth);
      o[op] = arg;
    }
    return o;
  }
  function conditionValue(depth) {
    if (depth > 3 || chance(0.35)) return chance(0.85) ? scalar() : value(1);
    return operatorObject(depth);
  }
  function elementCondition(depth) {
    // A condition on the elements needs a plain key: an object of only "$"
    // keys is an operator object for GrowthBook, where $or would be unknown.
    const c = condition(depth);
    if (Object.keys(c).every((k) => k.startsWith('$'))) c[pick(['sku', 'qty', 'tags', 'a'])] = conditionValue(depth);
    return c;
  }
  function arrayOperator(depth) {
    switch (int(6)) {
      case 0: return ['$size', chance(0.6) ? int(4) : operatorObject(depth + 1)];
      case 1: return ['$elemMatch', chance(0.5) ? operatorObject(depth + 1) : elementCondition(depth + 1)];
      case 2: return [pick(['$all', '$alli']), Array.from({ length: int(3) }, () => (chance(0.7) ? pick(TAGS) : conditionValue(depth + 1)))];
      default: return [pick(['$in', '$nin', '$ini', '$nini']), Array.from({ length: 1 + int(3) }, () => pick(TAGS))];
    }
  }
  function operator(depth) {
    switch (int(22)) {
      case 0: return [pick(['$eq', '$ne']), chance(0.9) ? scalar() : value(1)];
      case 1: case 2: return [pick(['$lt', '$lte', '$gt', '$gte']), chance(0.9) ? scalar() : value(1)];
      case 3: return ['$exists', chance(0.9) ? chance(0.5) : pick([0, 1, '', 'x'])];
      case 4: case 5: return [pick(['$in', '$nin', '$ini', '$nini']), Array.from({ length: int(5) }, () => (chance(0.9) ? scalar() : value(2)))];
      case 6: return [pick(['$inGroup', '$notInGroup']), pick(GROUP_IDS)];
      case 7: return ['$not', conditionValue(depth + 1)];
      case 8: case 9: case 10: return arrayOperator(depth);
      case 11: case 12: return [pick(['$regex', '$regexi']), pick(REGEXES)];
      case 13: return ['$type', pick(TYPES)];
      case 14: case 15: return [pick(['$veq', '$vne', '$vgt', '$vgte', '$vlt', '$vlte']), pick(VERSIONS)];
      default: {
        const op = pick(['$eq', '$gt', '$in', '$regex', '$vgt', '$exists']);
        if (op === '$in') return [op, [scalar(), scalar()]];
        if (op === '$regex') return [op, pick(REGEXES)];
        return [op, scalar()];
      }
    }
  }
  function condition(depth = 0) {
    const c = {};
    const n = depth === 0 ? 1 + int(4) : int(3);
    for (let i = 0; i < n; i++) {
      const r = rand();
      const list = () => Array.from({ length: int(3) }, () => condition(depth + 1));
      if (depth < 3 && r < 0.08) c.$and = list();
      else if (depth < 3 && r < 0.16) c.$or = list();
      else if (depth < 3 && r < 0.21) c.$nor = list();
      else if (depth < 3 && r < 0.26) c.$not = condition(depth + 1);
      else if (r < 0.3) c.$savedGroup = chance(0.8) ? { id: pick(GROUP_IDS) } : { id: pick(GROUP_IDS), attributeKey: pick(['id', 'country', 'user.name']) };
      else if (r < 0.45) {
        const [op, arg] = arrayOperator(depth + 1);
        c[pick(ARRAY_PATHS)] = { [op]: arg };
      } else if (r < 0.52) c.id = { [pick(['$inGroup', '$notInGroup'])]: pick(GROUP_IDS) };
      else c[pick(PATHS)] = conditionValue(depth + 1);
    }
    return c;
  }
  // ---- malformed parts, as GrowthBook payloads may carry them

  const NOT_LISTS = () => pick(['CN', '', 5, 0, null, true, false, { a: 1 }, { length: 1, 0: 'CN' }]);
  const BAD_REGEXES = ['(unclosed', '[a-', '*a', 'a**', '(?<n>a)(?<n>b)', '\\', 'a{2,1}', '[z-a]', '(?x)', '+', '?',
    ')', 'a)', '((a)', 'a|*', '(?<1a>x)'];
  function badOperator(depth) {
    switch (int(13)) {
      case 0: return [pick(['$in', '$nin', '$ini', '$nini', '$all', '$alli']), NOT_LISTS()];
      case 1: return [pick(['$gtt', '$regx', '$IN', '$', '$foo', '$elemmatch', '$or', '$and', '$nor', '$savedGroup']),
        chance(0.5) ? scalar() : [condition(depth + 1)]];
      case 2: case 3: return [pick(['$regex', '$regexi']), pick(BAD_REGEXES)];
      // Not text: GrowthBook's try/catch makes it false. (GrowthBook caches
      // compiled patterns by `${pattern}`, so once the text "null" was a
      // pattern, `$regex: null` reuses it; these values never were.)
      case 4: return [pick(['$regex', '$regexi']), pick([5, 1.5, ['a', 'b'], { a: 1 }, false])];
      case 5: return ['$type', pick(['int', 'Object', 'unknown', '', 5, null, ['string'], { a: 1 }])];
      case 6: return ['$size', pick(['x', '2', null, [1], { $gtt: 1 }, { $in: 2 }, true, { a: 1, $gt: 0 }])];
      case 7: return ['$elemMatch', pick([null, 5, 0, true, 'ab', 'A', '', [1], [], ['a', 'b'], { $gt: 1, a: 2 },
        { $gtt: 1 }, { sku: { $in: 'A1' } }, { $or: null }])];
      case 8: return ['$exists', pick(['x', '', 0, 1, null, [], {}])];
      case 9: return ['$not', chance(0.5) ? Object.fromEntries([badOperator(depth + 1)]) : pick([null, [1], { $gtt: 1 }])];
      case 10: return [pick(['$inGroup', '$notInGroup']), pick([5, 7, null, true, ['vip'], ['vip', 'ids'], { a: 1 },
        'constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'])];
      case 11: {
        // Mixed "$" and plain keys: a literal value for GrowthBook.
        const [op, arg] = operator(depth + 1);
        return ['$eq', { [op]: arg, [pick(['a', 'x'])]: scalar() }];
      }
      default: return [pick(['$lt', '$gt', '$eq']), { $gtt: 1 }];
    }
  }
  function badConditionOperand() {
    switch (int(4)) {
      case 0: return pick([null, 5, 0, true, false, 'ab', 'a', '', 'A0']);
      case 1: return [pick([null, 5, 'ab', '', [{ a: 1 }], ['x'], {}])];
      case 2: return pick([{ a: 1 }, { length: 1, 0: { a: 1 } }, { length: 2, 0: { age: { $gt: 10 } } },
        { length: '1', 0: { vip: true } }, { length: 0, 0: null }, { length: 1 }, { length: 'x' }, { length: [2], 0: {}, 1: {} }]);
      default: return [condition(2), pick([null, 5, 'b', [], [null]])];
    }
  }
  function badEntry(depth) {
    switch (int(7)) {
      case 0: return [pick(['$and', '$or', '$nor']), badConditionOperand()];
      case 1: return ['$not', pick([null, 5, true, 'a', '0', '', [{ a: 1 }], [], ['x'], {}])];
      case 2: return [pick(['$gt', '$foo', '$andd', '$in', '$', '$OR', '$regex']), chance(0.5) ? scalar() : { $gtt: 1 }];
      case 3: return ['$savedGroup', pick(['vip', null, 5, [], {}, { id: 5 }, { id: null },
        { id: 'countries', attributeKey: 5 }, { id: 'countries', attributeKey: null }, { id: 'countries', extra: 1 },
        { id: 'ids', attributeKey: 'user.name', other: true }, { id: 'listCondition' }, { id: 'nullCondition' },
        { id: 'textCondition' }, { id: 'badKey' }, { id: 'constructor' }, { id: 'toString' }, { id: 'badInside' },
        { id: 'throwsInside' }, { id: 'loop' }])];
      default: {
        const [op, arg] = badOperator(depth);
        const o = { [op]: arg };
        if (chance(0.3)) {
          const [op2, arg2] = operator(depth + 1);
          if (!(op2 in o)) o[op2] = arg2;
        }
        return [pick(depth > 0 && chance(0.3) ? ['sku', 'qty', '0'] : [...PATHS, '0', '1', '$gt']), o];
      }
    }
  }
  /** A condition with at least one malformed part, somewhere inside valid structure. */
  function malformed(depth = 0) {
    const c = depth === 0 ? condition(2) : {};
    const [k, v] = badEntry(depth);
    c[k] = v;
    if (depth < 2 && chance(0.45)) {
      const wrapped = {};
      switch (int(5)) {
        case 0: wrapped.$and = [condition(2), malformed(depth + 1)]; break;
        case 1: wrapped.$or = [condition(2), malformed(depth + 1)]; break;
        case 2: wrapped.$nor = [malformed(depth + 1)]; break;
        case 3: wrapped.$not = malformed(depth + 1); break;
        default: wrapped[pick(ARRAY_PATHS)] = { $elemMatch: { ...malformed(depth + 1), sku: pick(['A1', 'B2']) } };
      }
      return chance(0.5) ? wrapped : { ...c, ...wrapped };
    }
    return c;
  }
  /** Attributes that also have the keys malformed conditions read ("0", "$gt", ...). */
  function malformedAttributes() {
    const o = attributes();
    if (chance(0.4)) o['0'] = pick(['a', 'b', 'A', 'x', 1, 5, null, true, 'CN', { a: 1 }]);
    if (chance(0.2)) o['1'] = pick(['b', 'x', 2]);
    if (chance(0.3)) o.$gt = pick([5, 'x', null]);
    if (chance(0.2)) o.$foo = pick(['x', 1]);
    if (chance(0.2)) o.a = pick([1, { a: 1 }, 'x']);
    return o;
  }
  return { attributes, condition, malformed, malformedAttributes };
}

// Saved groups that are themselves malformed, for $savedGroup references.
const MALFORMED_GROUPS = {
  ...SAVED_GROUPS,
  listCondition: { type: 'condition', condition: [{ a: 1 }, 'x'] },
  nullCondition: { type: 'condition', condition: null },
  textCondition: { type: 'condition', condition: 'ab' },
  badKey: { type: 'list', values: ['u1'], attributeKey: 5 },
  badInside: { type: 'condition', condition: { age: { $gtt: 1 }, country: { $in: 'CN' } } },
  throwsInside: { type: 'condition', condition: { $or: [{ vip: true }, null] } },
};

/** Runs both engines on each [condition, attributes]; returns the mismatches and per-operator outcome counts. */
function compare(tw, pairs, savedGroups) {
  const mismatches = [];
  const outcomes = {};
  let throws = 0;
  for (const [condition, attributes] of pairs) {
    let expected;
    try {
      expected = evalCondition(attributes, condition, savedGroups);
    } catch (e) {
      // GrowthBook's own code throws a TypeError (a null where a condition
      // belongs): tagwise does not match.
      assert.ok(e instanceof TypeError, String(e));
      expected = false;
      throws++;
    }
    let actual;
    try {
      actual = tw.evaluateCondition(condition, attributes, { savedGroups });
    } catch (e) {
      actual = `${e.name} ${e.code} ${e.path}: ${e.message}`;
    }
    if (actual !== expected) mismatches.push({ condition, attributes, expected, actual });
    for (const op of new Set(JSON.stringify(condition).match(/"\$[a-zA-Z]+"/g) ?? [])) {
      outcomes[op] ??= [0, 0];
      outcomes[op][expected ? 0 : 1]++;
    }
  }
  return { mismatches, outcomes, throws };
}

function report(mismatches) {
  return `${mismatches.length} mismatches, first: ${JSON.stringify(mismatches.slice(0, 3), null, 1)}`;
}

test('evaluateCondition equals GrowthBook evalCondition on 6,000 generated conditions and their parts', async () => {
  const tw = await createTagwise();
  const g = generator(20260101);
  const pairs = [];
  for (let i = 0; i < 6000; i++) {
    const condition = g.condition();
    for (let k = 0; k < 3; k++) pairs.push([condition, g.attributes()]);
    // Each entry alone too: whole conditions are mostly false (an AND of several).
    const attributes = g.attributes();
    for (const [key, value] of Object.entries(condition)) pairs.push([{ [key]: value }, attributes]);
  }
  const { mismatches, outcomes } = compare(tw, pairs, SAVED_GROUPS);
  assert.equal(mismatches.length, 0, report(mismatches));
  // Every operator was generated and seen both holding and failing.
  const all = ['$and', '$or', '$nor', '$not', '$savedGroup', '$eq', '$ne', '$lt', '$lte', '$gt', '$gte', '$exists',
    '$in', '$nin', '$ini', '$nini', '$inGroup', '$notInGroup', '$size', '$elemMatch', '$all', '$alli', '$regex',
    '$regexi', '$type', '$veq', '$vne', '$vgt', '$vgte', '$vlt', '$vlte'];
  for (const op of all) {
    const [yes, no] = outcomes[`"${op}"`] ?? [0, 0];
    assert.ok(yes >= 10 && no >= 10, `${op}: ${yes} true / ${no} false`);
  }
});

test('without saved groups, unknown groups behave as GrowthBook (empty) on 1,000 conditions', async () => {
  const tw = await createTagwise();
  const g = generator(7);
  const pairs = Array.from({ length: 1000 }, () => [g.condition(), g.attributes()]);
  const { mismatches } = compare(tw, pairs, undefined);
  assert.equal(mismatches.length, 0, report(mismatches));
});

test('hand-picked quirks match GrowthBook', async () => {
  const tw = await createTagwise();
  const attributes = { age: 30, score: '42', tags: ['vip', 7], empty: [], nil: null, city: 'İSTANBUL', word: 'ΟΔΟΣ',
    version: '2.10.0-beta.1', items: [{ sku: 'A1' }, null], '用户': { '城市': '上海' } };
  const conditions = [
    { age: '30' }, { score: 42 }, { nil: 0 }, { empty: true }, { missing: 'null' }, { missing: { $lt: 1 } },
    { score: { $eq: 42 } }, { tags: { $in: [7] } }, { tags: { $nin: ['vip'] } }, { tags: { $size: { $gt: 1 } } },
    { items: { $elemMatch: { sku: null } } }, { items: { $elemMatch: {} } }, { missing: { $regex: '^nu' } },
    { city: { $ini: ['i\u0307stanbul'] } }, { word: { $ini: ['οδος'] } }, { version: { $vgt: '2.9.99' } },
    { version: { $vlt: '2.10.0' } }, { version: { $veq: 'v2.10.0-beta.1+build' } }, { '用户.城市': { $regex: '^上' } },
    { 'tags.length': 2 }, { $or: [] }, { $nor: [] }, {},
  ];
  for (const condition of conditions) {
    assert.equal(tw.evaluateCondition(condition, attributes), evalCondition(attributes, condition), JSON.stringify(condition));
  }
});

/** Runs fn with console.error silenced (GrowthBook logs "Unknown operator" for each one it meets). */
function quietly(fn) {
  const error = console.error;
  console.error = () => {};
  try {
    return fn();
  } finally {
    console.error = error;
  }
}

test('malformed conditions evaluate exactly as GrowthBook evaluates them, on 4,000 generated conditions and their parts', async () => {
  const tw = await createTagwise({ onError: () => {} });
  const g = generator(20260220);
  const pairs = [];
  for (let i = 0; i < 4000; i++) {
    const condition = g.malformed();
    for (let k = 0; k < 2; k++) pairs.push([condition, g.malformedAttributes()]);
    const attributes = g.malformedAttributes();
    for (const [key, value] of Object.entries(condition)) pairs.push([{ [key]: value }, attributes]);
  }
  const { mismatches, outcomes, throws } = quietly(() => compare(tw, pairs, MALFORMED_GROUPS));
  assert.equal(mismatches.length, 0, report(mismatches));
  assert.ok(pairs.length >= 12_000, `${pairs.length} pairs`);
  // Cases where GrowthBook throws were generated, and malformed parts that hold and fail.
  assert.ok(throws >= 100, `${throws} GrowthBook TypeErrors`);
  for (const op of ['$in', '$nin', '$all', '$regex', '$type', '$size', '$elemMatch', '$not', '$and', '$or', '$nor',
    '$savedGroup', '$inGroup', '$notInGroup', '$gtt']) {
    const [yes, no] = outcomes[`"${op}"`] ?? [0, 0];
    assert.ok(yes >= 10 && no >= 10, `${op}: ${yes} true / ${no} false`);
  }
});

test('malformed conditions without saved groups match GrowthBook too', async () => {
  const tw = await createTagwise({ onError: () => {} });
  const g = generator(99);
  const pairs = Array.from({ length: 1500 }, () => [g.malformed(), g.malformedAttributes()]);
  const { mismatches } = quietly(() => compare(tw, pairs, undefined));
  assert.equal(mismatches.length, 0, report(mismatches));
});

// [condition, attributes, code, path] — GrowthBook's answer is checked, the problem must be reported.
const MALFORMED_CASES = [
  [{ $and: [{ a: 1 }, { age: { $gtt: 18 } }] }, { a: 1, age: 20 }, 'unknown_operator', '/$and/1/age/$gtt'],
  [{ $gt: 5 }, { $gt: 5 }, 'unknown_operator', '/$gt'],
  [{ country: { $in: 'CN' } }, { country: 'CN' }, 'wrong_argument_type', '/country/$in'],
  [{ country: { $nin: 'CN' } }, { country: 'US' }, 'wrong_argument_type', '/country/$nin'],
  [{ tags: { $all: 'a' } }, { tags: ['a'] }, 'wrong_argument_type', '/tags/$all'],
  [{ country: { $regex: '(unclosed' } }, { country: '(unclosed' }, 'invalid_rule', '/country/$regex'],
  [{ x: { $type: 'int' } }, { x: 1 }, 'wrong_argument_type', '/x/$type'],
  [{ x: { $gt: 1, y: 2 } }, { x: { $gt: 1, y: 2 } }, 'invalid_rule', '/x'],
  [{ $or: { a: 1 } }, {}, 'wrong_argument_type', '/$or'],
  [{ $or: null }, {}, 'wrong_argument_type', '/$or'],
  [{ $not: 5 }, {}, 'wrong_argument_type', '/$not'],
  [{ $and: 'ab' }, { 0: 'a' }, 'wrong_argument_type', '/$and'],
  [{ items: { $elemMatch: null } }, { items: [] }, 'wrong_argument_type', '/items/$elemMatch'],
  [{ items: { $elemMatch: 5 } }, { items: [0] }, 'wrong_argument_type', '/items/$elemMatch'],
  [{ id: { $inGroup: 7 } }, { id: 'u1' }, 'wrong_argument_type', '/id/$inGroup'],
  [{ $savedGroup: { id: 'countries', attributeKey: 5 } }, { country: 'CN' }, 'wrong_argument_type', '/$savedGroup/attributeKey'],
  [{ $nor: [{ '用户': { $elemMatch: { '城市': { $regex: '[上海' } } } }] }, { '用户': [{ '城市': '上海' }] }, 'invalid_rule',
    '/$nor/0/用户/$elemMatch/城市/$regex'],
];

test('each problem is reported with its JSON Pointer through diagnostics() and onError, once per condition', async () => {
  const heard = [];
  const tw = await createTagwise({ onError: (d) => heard.push(d) });
  for (const [condition, attributes, code, path] of MALFORMED_CASES) {
    const expected = quietly(() => {
      try {
        return evalCondition(attributes, condition, SAVED_GROUPS);
      } catch {
        return false;
      }
    });
    const before = heard.length;
    assert.equal(tw.evaluateCondition(condition, attributes, { savedGroups: SAVED_GROUPS }), expected, JSON.stringify(condition));
    assert.equal(heard.length, before + 1, JSON.stringify(condition));
    const d = heard.at(-1);
    assert.equal(d.code, 'malformed_condition');
    assert.ok(d.problems.some((p) => p.code === code && p.path === path), `${JSON.stringify(condition)}: ${JSON.stringify(d.problems)}`);
    assert.ok(d.message.includes('GrowthBook'), d.message);
    // The same condition again: evaluated, not reported again.
    tw.evaluateCondition(condition, attributes, { savedGroups: SAVED_GROUPS });
    assert.equal(heard.length, before + 1);
  }
  assert.deepEqual(tw.diagnostics().filter((d) => d.code === 'malformed_condition').length, MALFORMED_CASES.length);
  // Every problem is listed, with a "did you mean" for typos.
  tw.evaluateCondition({ a: { $regx: 'x' }, b: { $in: 2 } }, {});
  const { problems } = heard.at(-1);
  assert.equal(problems.length, 2);
  assert.match(problems.find((x) => x.path === '/a/$regx').message, /did you mean "\$regex"\?/);
  // A good condition reports nothing.
  const count = heard.length;
  tw.evaluateCondition({ country: { $in: ['CN'] } }, { country: 'CN' });
  assert.equal(heard.length, count);
});

test('validateCondition lists every problem strictly, with JSON Pointers', async () => {
  const tw = await createTagwise({ onError: () => assert.fail('validateCondition reports nothing') });
  for (const [condition, , code, path] of MALFORMED_CASES) {
    const problems = tw.validateCondition(condition, { savedGroups: SAVED_GROUPS });
    assert.ok(problems.some((p) => p.code === code && p.path === path && p.severity === 'error'),
      `${JSON.stringify(condition)}: ${JSON.stringify(problems)}`);
  }
  assert.deepEqual(tw.validateCondition({ country: { $in: ['CN', 'SG'] }, $or: [{ vip: true }] }), []);
  const problems = tw.validateCondition({ a: { $regx: 'x' }, b: { $in: 2 }, c: { $regex: '(a)\\1' } });
  assert.deepEqual(problems.map((p) => p.path).sort(), ['/a/$regx', '/b/$in', '/c/$regex']);
  // Warnings too: an unknown saved group is GrowthBook's empty group.
  assert.deepEqual(tw.validateCondition({ id: { $inGroup: 'nope' } }).map((p) => [p.path, p.severity]), [['/id/$inGroup', 'warning']]);
  // Values JSON cannot carry are problems, not exceptions; wrong option kinds are TypeErrors.
  assert.equal(tw.validateCondition({ a: NaN })[0].path, '/a');
  assert.throws(() => tw.validateCondition({}, { savedGroups: [] }), TypeError);
});

test('a valid pattern the bounded engine will not run makes the whole condition not match, and says so', async () => {
  const heard = [];
  const tw = await createTagwise({ onError: (d) => heard.push(d) });
  // GrowthBook: (a)\1 does not match "ab", so $not holds. tagwise cannot run
  // a backreference in linear time: the condition does not match.
  assert.equal(evalCondition({ s: 'ab' }, { $not: { s: { $regex: '(a)\\1' } } }), true);
  assert.equal(tw.evaluateCondition({ $not: { s: { $regex: '(a)\\1' } } }, { s: 'ab' }), false);
  assert.equal(tw.evaluateCondition({ $not: { s: { $regexi: '(?<=a)b' } } }, { s: 'ab' }), false);
  assert.deepEqual(heard.map((d) => d.problems[0].path), ['/$not/s/$regex', '/$not/s/$regexi']);
  assert.match(heard[0].problems[0].message, /not supported.*does not match/);
  // Values JSON cannot carry (not from a JSON payload) are still TagwiseErrors.
  assert.throws(() => tw.evaluateCondition({ a: NaN }, {}), (e) => e instanceof TagwiseError && e.path === '/a');
});

test('a catastrophic regex returns at once instead of hanging the page', async () => {
  const tw = await createTagwise();
  const subject = `${'a'.repeat(50_000)}!`;
  assert.equal(tw.evaluateCondition({ s: { $regex: '(a+)+$' } }, { s: subject }), false);
  assert.equal(tw.evaluateCondition({ s: { $regex: '(a|aa)+!$' } }, { s: subject }), true);
});

test('arguments of the wrong kind are TypeErrors; unknown saved groups still evaluate', async () => {
  const tw = await createTagwise();
  for (const bad of [null, [], 'country', 5, undefined]) {
    assert.throws(() => tw.evaluateCondition(bad, {}), TypeError);
  }
  assert.throws(() => tw.evaluateCondition({}, [1]), TypeError);
  assert.throws(() => tw.evaluateCondition({}, 'x'), TypeError);
  assert.throws(() => tw.evaluateCondition({}, {}, { savedGroups: [] }), TypeError);
  assert.equal(tw.evaluateCondition({ country: 'CN' }), false);
  assert.equal(tw.evaluateCondition({ id: { $notInGroup: 'nope' } }, { id: 'u1' }), true);
  assert.equal(tw.evaluateCondition({ id: { $inGroup: 'beta' } }, { id: 'u1' }, { savedGroups: { beta: ['u1'] } }), true);
});
