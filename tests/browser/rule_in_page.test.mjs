// The package's browser entry (js/index.js) in a real page: headless Chromium
// (Debian's /usr/bin/chromium through playwright-core) loads it with a plain
// <script type="module">, the glue fetches the .wasm next to itself, and the
// page compiles and evaluates rules. Results must equal Node's.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTagwise } from 'tagwise';
import { launchBrowser, openPage as open, startServer } from './support.mjs';

const NOW = Date.UTC(2026, 10, 20);
const DAY = 86_400_000;

// A tag rule an operator might write: 高价值游戏玩家 = 2+ paid game orders in 30 days, or spend over 500.
const TAG_RULE = {
  or: [
    { '>=': [{ events: [{ type: '下单', within: '30d', where: { '==': [{ var: '品类' }, '游戏'] } }] }, 2] },
    { '>': [{ events: [{ type: '下单', agg: 'sum', field: '金额' }] }, 500] },
  ],
};
const PROFILE = {
  user_id: '用户-1',
  attributes: { 城市: '上海' },
  events: [
    { id: 'e1', type: '下单', ts: NOW - 3 * DAY, props: { 品类: '游戏', 金额: 60 } },
    { id: 'e2', type: '下单', ts: NOW - 30 * DAY, props: { 品类: '游戏', 金额: 90 } },
    { id: 'e3', type: '浏览', ts: NOW - DAY, props: { 品类: '图书' } },
  ],
};

const PAGE = `<!doctype html>
<html lang="zh">
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>tagwise in a page</title></head>
<body>
<script type="module">
import { createTagwise, TagwiseError } from '/js/index.js';
try {
  // Ad-hoc rules come with the full module (the page runtime runs catalogs).
  const tw = await createTagwise({ clock: () => ${NOW}, features: ['rules'] });
  const tag = tw.compileRule(${JSON.stringify(TAG_RULE)});
  const profile = ${JSON.stringify(PROFILE)};
  const set = tw.compileRules([${JSON.stringify(TAG_RULE)}, { cat: ['你好，', { var: '名字' }] }, { '/': [1, { var: 'n' }] }]);
  let error;
  try { tw.compileRule({ 买过: ['手机'] }); } catch (e) { error = { isTagwiseError: e instanceof TagwiseError, code: e.code, path: e.path, message: e.message }; }
  const viaUrl = await createTagwise({ wasmUrl: new URL('/js/dist/tagwise_page.wasm', location.href) });
  window.__tagwise = tw;
  window.__result = {
    ok: true,
    tagged: tag.evaluate({}, { profile }),
    taggedLater: tag.evaluate({}, { profile, now: ${NOW} + 1 }),
    batch: set.evaluateMany([{ 名字: '小明', n: 0 }, { 名字: '小红', n: 4 }], { profile }),
    error,
    viaUrl: viaUrl.validateRule({ '>=': [1] }).map((p) => p.code),
  };
} catch (e) {
  window.__result = { ok: false, error: String((e && e.stack) || e) };
}
</script>
</body>
</html>`;

let server;
let browser;

before(async () => {
  server = await startServer({ routes: { '/': PAGE, '/index.html': PAGE } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

function openPage() {
  return open(browser.context, `${server.baseUrl}/`, { waitFor: () => window.__result !== undefined });
}

test('a page imports the browser entry, compiles a Chinese tag rule with events and gets the same results as Node', async () => {
  const { page, problems } = await openPage();
  const result = await page.evaluate(() => window.__result);
  assert.equal(result.ok, true, result.error);
  assert.equal(result.tagged, true);
  assert.equal(result.taggedLater, false, 'the 30-day-old order leaves the window 1 ms later');
  assert.deepStrictEqual(result.batch, [[true, '你好，小明', Infinity], [true, '你好，小红', 0.25]]);
  assert.deepEqual(result.error, {
    isTagwiseError: true, code: 'unknown_operator', path: '/买过', message: result.error.message,
  });
  assert.ok(result.error.message.includes('买过'), result.error.message);
  assert.deepEqual(result.viaUrl, ['wrong_argument_count'], 'createTagwise({ wasmUrl }) loads the module from that URL');

  // Same answers from the Node entry on the same inputs.
  const tw = await createTagwise({ clock: () => NOW });
  const tag = tw.compileRule(TAG_RULE);
  assert.equal(tag.evaluate({}, { profile: PROFILE }), result.tagged);
  assert.equal(tag.evaluate({}, { profile: PROFILE, now: NOW + 1 }), result.taggedLater);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the official JsonLogic suite passes 277/277 inside the page', async () => {
  const { page, problems } = await openPage();
  const run = await page.evaluate(async () => {
    const suite = await (await fetch('/__shared/conformance/jsonlogic/tests.json')).json();
    const cases = suite.filter((c) => Array.isArray(c));
    const outcomes = cases.map(([rule, data]) => {
      try {
        return { value: window.__tagwise.evaluate(rule, data) };
      } catch (e) {
        return { error: `${e.code}: ${e.message}` };
      }
    });
    return { cases, outcomes };
  });
  assert.equal(run.cases.length, 277);
  let passed = 0;
  const failures = [];
  run.cases.forEach(([rule, data, expected], i) => {
    try {
      assert.deepStrictEqual(run.outcomes[i], { value: expected });
      passed++;
    } catch {
      failures.push(`${JSON.stringify(rule)} on ${JSON.stringify(data)}: ${JSON.stringify(run.outcomes[i])}`);
    }
  });
  console.log(`official JsonLogic suite in Chromium: ${passed}/${run.cases.length} passed`);
  assert.deepEqual(failures, []);
  assert.equal(passed, 277);
  assert.deepEqual(problems, []);
  await page.close();
});
