// Issue 24 in a real page: a tag rule that would run for minutes (a product
// of two 10,000-item lists: 10^8 steps) stops at the call's budget. The page
// runtime's setProfile returns with the other tags held and that tag's
// reason; the page keeps working (tags(), track(), timers run). How long the
// call blocked the main thread is reported: a tag may use a quarter of the
// pass budget (5M of 20M steps, about 0.2 s here), where before a catalog of
// 20 such tags took 163 s. The time bound asserted is 25x that, only to tell
// "bounded" from "unbounded" on a slow CI machine.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, startServer } from './support.mjs';

const NOW = Date.UTC(2026, 10, 20, 8);
const TEN_THOUSAND = Array.from({ length: 10_000 }, (_, i) => i);

const CATALOG = {
  tagwise: 1,
  tags: [
    { id: 'buyer', name: '买家', when: { '>=': [{ events: [{ type: 'order_paid' }] }, 1] } },
    // For each item the visitor viewed, look it up in a 10,000-item list (written the slow way).
    { id: 'costly', name: '昂贵规则', when: { some: [{ var: 'viewed' }, { some: [TEN_THOUSAND, { '==': [{ var: '' }, -1] }] }] } },
    { id: 'viewer', name: '浏览过', when: { '>=': [{ events: [{ type: 'view' }] }, 1] } },
  ],
};

const PAGE = `<!doctype html><html lang="zh"><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body>
<script type="module">
import { createTagwise } from '/js/index.js';
window.errors = [];
const tw = await createTagwise({ catalog: ${JSON.stringify(CATALOG)}, clock: () => ${NOW}, storage: null,
  purposes: ['necessary', 'personalization'], onError: (d) => window.errors.push(d.code + ' ' + d.message) });
window.run = async () => {
  let timerRan = false;
  setTimeout(() => { timerRan = true; }, 0);
  const started = performance.now();
  const r = tw.setProfile({
    user_id: '用户-1',
    attributes: { viewed: ${JSON.stringify(TEN_THOUSAND)} },
    events: [{ id: 'o1', type: 'order_paid', ts: ${NOW} - 1000 }, { id: 'v1', type: 'view', ts: ${NOW} - 500 }],
  });
  const ms = performance.now() - started;
  const costly = tw.tagDecisions().find((d) => d.id === 'costly');
  const tracked = tw.track({ id: 'v2', type: 'view', ts: ${NOW} });
  await new Promise((resolve) => setTimeout(resolve, 10));
  return { ok: r.ok, ms, held: tw.tags().map((t) => t.id), costly, trackedOk: tracked.ok, timerRan, errors: window.errors };
};
window.ready = true;
</script></body></html>`;

let server;
let browser;

before(async () => {
  server = await startServer({ routes: { '/budget.html': PAGE } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('a tag rule that hits its budget returns quickly in a page, and the page keeps working', async () => {
  const { page, problems } = await openPage(browser.context, `${server.baseUrl}/budget.html`, { waitFor: () => window.ready === true });
  const r = await page.evaluate(() => window.run());
  console.log(`# setProfile with a 10^8-step tag rule returned in ${r.ms.toFixed(0)} ms (page runtime, Chromium)`);
  assert.equal(r.ok, true);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.held, ['buyer', 'viewer']);
  assert.equal(r.costly.holds, false);
  assert.match(r.costly.error, /budget|steps/);
  assert.equal(r.trackedOk, true);
  assert.equal(r.timerRan, true);
  assert.ok(r.ms < 5_000, `setProfile blocked the page for ${r.ms} ms`);
  assert.deepEqual(problems, []);
  await page.close();
});
