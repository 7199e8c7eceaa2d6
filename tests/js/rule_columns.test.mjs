// Node's rule batches as typed columns (js/rule_columns.js,
// core/include/tagwise/rule_columns.h) against the JSON path on the same
// records: the same rules with one rule the column evaluator does not cover
// appended (`missing`) go through JSON text, so every other slot must match.
// The json-logic-js differential test and the conformance suites run through
// the columns too; this file covers what JS values do on the way in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTagwise, TagwiseError } from 'tagwise';

const tw = await createTagwise();

const RULES = [
  { var: 'a' },
  { var: ['a', 'default'] },
  { var: 'o.b' },
  { var: ['o.b', 'default'] },
  { '==': [{ var: 'a' }, 1] },
  { '===': [{ var: 'a' }, 0] },
  { cat: [{ var: 'a' }, '|', { var: 'o.b' }, '|', { var: 'list' }] },
  { in: ['x', { var: 'list' }] },
  { some: [{ var: 'list' }, { '==': [{ var: '' }, null] }] },
  { '<': [{ var: 'a' }, { var: 'o.b' }] },
  { '+': [{ var: 'a' }, { var: 'o.b' }] },
  { if: [{ var: 'a' }, '有', '无'] },
  { substr: [{ var: 'a' }, 0, 2] },
  { '==': [{ var: 'list' }, { var: 'list' }] },
];
const withJson = [...RULES, { missing: ['zz'] }];

class Point {
  constructor() {
    this.a = 1;
  }
}

const RECORDS = [
  { a: 1, o: { b: 2 }, list: ['x', 'y'] },
  { a: 0, o: { b: '2' }, list: [] },
  { a: -0, o: { b: -0 } },
  { a: NaN, o: { b: Infinity }, list: [NaN, -Infinity, undefined, null, () => 1, Symbol('s')] },
  { a: undefined, o: null, list: [1, , 3] }, // eslint-disable-line no-sparse-arrays
  { a: null, o: 5, list: 'x' },
  { a: '上海', o: { b: '上海' }, list: ['上海', '😀'] },
  { a: '😀😀', o: { b: 'a\u{10000}' } },
  { a: 'lone \ud800', o: { b: 1 } },
  { a: 1, o: { b: 2, toJSON: () => ({ b: 9 }) } },
  { a: new Date(0), o: { b: 1 } },
  { a: [1, [2]], o: { b: 1 } },
  { a: { x: 1 }, o: { b: 1 } },
  { a: 1, o: 'text' },
  { a: 1, o: [{ b: 1 }] },
  { a: 1, o: Object.create(null, { b: { value: 7, enumerable: true } }) },
  new Point(),
  { a: 'toString', o: {} },
  { a: 1, o: { b: 2 }, list: ['x'], unread: { deep: [1, 2, { more: true }] } },
  Object.assign(Object.create(null), { a: 3 }),
  null,
  7,
  'text',
  [1, 2],
];

function same(a, b, where) {
  if (a instanceof TagwiseError || b instanceof TagwiseError) {
    assert.ok(a instanceof TagwiseError && b instanceof TagwiseError, where);
    assert.equal(a.code, b.code, where);
    return;
  }
  assert.ok(Object.is(a, b) || (typeof a === 'object' && typeof b === 'object'), `${where}: ${String(a)} vs ${String(b)}`);
  if (typeof a === 'object') assert.deepStrictEqual(a, b, where);
}

test('a batch through the columns gives what the JSON path gives, record by record', () => {
  const columns = tw.compileRules(RULES);
  const json = tw.compileRules(withJson);
  assert.notEqual(columns._handle.columns, null, 'the set has a column form');
  assert.equal(json._handle.columns, null, '`missing` keeps the set on the JSON path');
  const got = columns.evaluateMany(RECORDS);
  const want = json.evaluateMany(RECORDS);
  for (let r = 0; r < RECORDS.length; r++) {
    for (let k = 0; k < RULES.length; k++) same(got[r][k], want[r][k], `record ${r}, rule ${k} ${JSON.stringify(RULES[k])}`);
  }
  // One record at a time (RuleSet.evaluate, CompiledRule.evaluate) too.
  const one = RULES.map((r) => tw.compileRule(r));
  for (let r = 0; r < RECORDS.length; r++) {
    const row = columns.evaluate(RECORDS[r]);
    for (let k = 0; k < RULES.length; k++) {
      same(row[k], want[r][k], `evaluate: record ${r}, rule ${k}`);
      same(one[k].evaluate(RECORDS[r]), want[r][k], `CompiledRule: record ${r}, rule ${k}`);
    }
  }
});

test('records the columns cannot hold keep their errors, at their own index', () => {
  const set = tw.compileRules([{ var: 'a' }, { '>': [{ var: 'o.b' }, 1] }]);
  const cyclic = {};
  cyclic.self = cyclic;
  assert.throws(() => set.evaluateMany([{ a: 1 }, { a: 2 }, { a: cyclic }]), (e) => e instanceof TagwiseError && e.code === 'invalid_json' && e.path === '/2');
  assert.throws(() => set.evaluateMany([{ a: 1 }, { o: { b: 2n } }]), (e) => e instanceof TagwiseError && e.code === 'invalid_json' && e.path === '/1');
  assert.throws(() => set.evaluate({ a: 5n }), (e) => e instanceof TagwiseError && e.code === 'invalid_json' && e.path === '');
  // The good records of a batch are not lost with them when nothing fails.
  assert.deepStrictEqual(set.evaluateMany([{ a: 1 }, { a: new Date(0), o: { b: 3 } }, { o: { b: 0 } }]),
    [[1, false], ['1970-01-01T00:00:00.000Z', true], [null, false]]);
});

test('the step limit and thrown values come back per slot as on the JSON path', async () => {
  // The rules of one record share the budget (issue 24): the rule that runs
  // out gets evaluation_limit, the ones after it budget_exceeded, and the
  // next record starts afresh.
  const limited = await createTagwise({ limits: { maxSteps: 10 } });
  const rules = [{ var: 'a' }, { some: [{ var: 'list' }, { '==': [{ var: '' }, 9] }] }, { var: 'a' }];
  const records = [{ list: [1, 2, 3, 4, 5, 6], a: 1 }, { list: [9], a: 2 }];
  const got = limited.compileRules(rules).evaluateMany(records);
  const want = limited.compileRules([...rules, { missing: ['zz'] }]).evaluateMany(records);
  const codes = (rows) => rows.map((row) => row.slice(0, 3).map((v) => (v instanceof TagwiseError ? v.code : v)));
  assert.deepStrictEqual(codes(got), [[1, 'budget_exceeded', 'budget_exceeded'], [2, true, 2]]);
  assert.deepStrictEqual(codes(want), codes(got), 'the columns and the JSON path agree');
  const first = await createTagwise({ limits: { maxSteps: 10 } });
  assert.equal(first.compileRules([rules[1]]).evaluateMany(records)[0][0].code, 'evaluation_limit');
});

test('a batch larger than the last one, and strings past the short-string coder, round-trip', () => {
  const set = tw.compileRules([{ cat: [{ var: 's' }, '·'] }, { '==': [{ var: 's' }, 'x'.repeat(100)] }]);
  const long = `${'长'.repeat(80)}😀${'x'.repeat(50)}`;
  const records = Array.from({ length: 3000 }, (_, i) => ({ s: i % 3 === 0 ? long : i % 3 === 1 ? 'x'.repeat(100) : `s${i}` }));
  const rows = set.evaluateMany(records);
  for (let i = 0; i < records.length; i++) {
    assert.deepStrictEqual(rows[i], [`${records[i].s}·`, records[i].s === 'x'.repeat(100)]);
  }
  assert.deepStrictEqual(set.evaluate({ s: long }), [`${long}·`, false]);
});
