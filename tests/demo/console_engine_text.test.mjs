// The console shows the engine's problems in the UI's language
// (demo/console/public/engine-text.js): every code the engine and lint can
// report has a Chinese sentence carrying the message's names and numbers, and
// English pages keep the engine's text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTagwise } from 'tagwise';
import { engineMessage, localized } from '../../demo/console/public/engine-text.js';

const CJK = /[\u4e00-\u9fff]/;

test('every error and lint code has a Chinese sentence; English keeps the engine\'s text', async () => {
  const tw = await createTagwise({ storage: null });
  const codes = new Set([...tw.errorCodes, ...tw.lintCodes]);
  assert.ok(codes.size > 40);
  for (const code of codes) {
    const problem = { code, path: '/tags/0/when', message: 'Something about "vip": 3 of 240, under 2%.' };
    const zh = engineMessage(problem, 'zh');
    assert.match(zh, CJK, code);
    assert.ok(!zh.startsWith('引擎提示'), `${code} has no Chinese sentence: ${zh}`);
    assert.equal(engineMessage(problem, 'en'), problem.message, code);
  }
  // An unknown code still says something, marked as the engine's English.
  assert.equal(engineMessage({ code: 'new_code', message: 'New.' }, 'zh'), '引擎提示（英文）：New.');
});

test('the names and numbers of real engine messages come through', async () => {
  const tw = await createTagwise({ storage: null });
  const [bad] = tw.validateRule({ '>=': [{ events: [{ type: 'order_paid', within: '7x' }] }, 2] });
  assert.equal(bad.code, 'bad_duration');
  assert.match(engineMessage(bad, 'zh'), /^“7x” 不是时间窗口/);
  const [unknown] = tw.validateRule({ '>==': [1, 2] });
  assert.equal(unknown.code, 'unknown_operator');
  assert.match(engineMessage(unknown, 'zh'), /^不认识的运算符 “>==”，是不是想写“==”？$/);
  const lint = tw.lintCatalog({ tagwise: 1, tags: [{ id: 'rare', when: { '==': [{ var: 'country' }, 'Malta'] } }] },
    { sample: Array.from({ length: 50 }, (_, i) => ({ user_id: `u${i}`, attributes: { country: i === 0 ? 'Malta' : 'UK' }, events: [] })), lowCoverage: 0.05 });
  const low = lint.findings.find((f) => f.code === 'low_coverage');
  assert.equal(engineMessage(low, 'zh'), '样本 50 位客户中只有 1 位持有这个标签，低于 5% 的阈值。');
  const l = localized(low, 'zh');
  assert.equal(l.engineText, low.message);
  assert.equal(l.code, 'low_coverage');
  assert.equal(engineMessage({ code: 'invalid_rule', message: 'the weights add up to 1.2; they must add up to 1' }, 'zh'),
    '各组权重加起来是 1.2，应为 1。');
  // The checks met most while building a rule, and the text form's syntax errors.
  const [count] = tw.validateRule({ '>=': [1] });
  assert.equal(engineMessage(count, 'zh'), '“>=” 需要 2 个参数，这里有 1 个。');
  const [field] = tw.validateRule({ events: [{ type: 'order_paid', agg: 'sum' }] });
  assert.equal(engineMessage(field, 'zh'), '这种聚合要指定读取的字段（field），例如 "amount"。');
  const syntax = (text) => {
    try {
      tw.parseRuleText(text);
    } catch (e) {
      return engineMessage(e, 'zh');
    }
    return null;
  };
  assert.equal(syntax('events(order_paid'), '缺少右括号“)”来闭合 1:1 处的“events(”。');
  assert.equal(syntax('events(order_paid, within 30x) >= 2'), '“30x”里的时间单位“x”不认识（可用 ms、s、m、h、d、w）。');
});
