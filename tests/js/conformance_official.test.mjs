// The official JsonLogic suite (../shared/conformance/jsonlogic/tests.json,
// read in place at run time) through the public JS API: every case must pass.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTagwise } from 'tagwise';
import { officialCases } from './helpers.mjs';

test('every case of the official JsonLogic suite passes through tw.evaluate', async () => {
  const tw = await createTagwise();
  const cases = officialCases();
  assert.equal(cases.length, 277, 'the official suite has 277 cases');
  const failures = [];
  for (const [rule, data, expected] of cases) {
    try {
      assert.deepStrictEqual(tw.evaluate(rule, data), expected);
    } catch (e) {
      failures.push(`${JSON.stringify(rule)} on ${JSON.stringify(data)}: ${e.message.split('\n')[0]}`);
    }
  }
  const passed = cases.length - failures.length;
  console.log(`official JsonLogic suite through the JS API: ${passed}/${cases.length} passed`);
  assert.deepEqual(failures, []);
  assert.equal(passed, 277);
});

test('the official suite gives the same results through compileRule and through one compileRules batch', async () => {
  const tw = await createTagwise();
  const cases = officialCases();
  // Group by data so each batch evaluates many rules on one record.
  for (const [rule, data, expected] of cases) {
    assert.deepStrictEqual(tw.compileRule(rule).evaluate(data), expected, JSON.stringify(rule));
  }
  const set = tw.compileRules(cases.map(([rule]) => rule));
  const byData = new Map();
  cases.forEach(([, data], i) => {
    const key = JSON.stringify(data);
    if (!byData.has(key)) byData.set(key, { data, indices: [] });
    byData.get(key).indices.push(i);
  });
  const groups = [...byData.values()];
  const rows = set.evaluateMany(groups.map((g) => g.data));
  groups.forEach((g, row) => {
    for (const i of g.indices) assert.deepStrictEqual(rows[row][i], cases[i][2], JSON.stringify(cases[i][0]));
  });
  set.dispose();
});
