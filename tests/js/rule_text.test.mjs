// The readable text form through the JS API: parseRuleText / formatRule are
// inverses on every rule the tests use, and text errors point at line:column.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTagwise, TagwiseError } from 'tagwise';
import { officialCases, ruleFixtures } from './helpers.mjs';

const tw = await createTagwise();

test('the design example parses to its JSON rule and formats back to the same text', () => {
  const text = 'events(order_paid, within 30d) >= 5 and days_since(last_login) > 30';
  const rule = tw.parseRuleText(text);
  assert.deepStrictEqual(rule, {
    and: [
      { '>=': [{ events: [{ type: 'order_paid', within: '30d' }] }, 5] },
      { '>': [{ days_since: [{ var: 'last_login' }] }, 30] },
    ],
  });
  assert.equal(tw.formatRule(rule), text);
  assert.equal(tw.compileRule(rule).evaluate({ last_login: 0 }, { now: 90 * 86_400_000 }), false);
});

test('JSON -> text -> JSON is the identity for every official-suite and fixture rule', () => {
  const rules = [
    ...officialCases().map(([rule]) => rule),
    ...ruleFixtures().flatMap((f) => f.cases.filter((c) => !c.error).map((c) => c.rule)),
    { cat: ['你好，', { var: '名字' }] },
    { in: [{ var: '城市' }, ['上海', '北京']] },
  ];
  const failures = [];
  for (const rule of rules) {
    try {
      const text = tw.formatRule(rule);
      assert.equal(typeof text, 'string');
      assert.deepStrictEqual(tw.parseRuleText(text), rule);
    } catch (e) {
      failures.push(`${JSON.stringify(rule)}: ${e.message.split('\n')[0]}`);
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(rules.length > 277);
});

test('a text-form error is a TagwiseError whose path is the line:column of the problem', () => {
  assert.throws(() => tw.parseRuleText('a >=\n  (b'), (e) => {
    assert.ok(e instanceof TagwiseError);
    assert.equal(e.code, 'syntax');
    assert.equal(e.path, '2:5');
    assert.equal(e.errors.length, 1);
    return true;
  });
  assert.throws(() => tw.parseRuleText('城市 == "上海" and'), (e) => e instanceof TagwiseError && /^1:\d+$/.test(e.path));
});

test('formatRule rejects what JSON cannot hold, with the path', () => {
  assert.throws(() => tw.formatRule({ '>': [{ var: 'x' }, NaN] }), (e) => e instanceof TagwiseError && e.path === '/>/1');
});
