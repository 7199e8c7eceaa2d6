// Recommendations in a real page: headless Chromium fetches a hint file
// built from the whole retail log, loads it with tw.loadHints, and a
// visitor's lists (cold, after browsing, with consent off) must equal the
// lists Node computes from the same file and events: the page and SSR agree.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTagwise } from 'tagwise';

import { buildHintFile, readInteractions } from '../../bench/retail_hints.mjs';
import { launchBrowser, openPage, startServer } from './support.mjs';

const NOW = Date.UTC(2011, 11, 10);
// A visitor who views a lantern, then adds two candle holders to the cart.
const EVENTS = [
  { id: 'v1', type: 'view', ts: NOW - 3_600_000, props: { item: '71053' } },
  { id: 'c1', type: 'cart_add', ts: NOW - 600_000, props: { item: '85123A' } },
  { id: 'c2', type: 'cart_add', ts: NOW - 600_000, props: { item: '21733' } },
];

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body>
<script type="module">
import { createTagwise } from '/js/index.js';
try {
  const bytes = new Uint8Array(await (await fetch('/__hints/retail.twh')).arrayBuffer());
  const personal = await createTagwise({ features: ['recommend'], clock: () => ${NOW}, storage: 'memory',
    purposes: ['necessary', 'personalization'] });
  const info = personal.loadHints(bytes);
  const cold = personal.recommend({ k: 10 });
  personal.trackMany(${JSON.stringify(EVENTS)});
  const browsed = personal.recommend({ k: 10, context: { item: '22423' } });
  // The browser default: consent not given yet, so non-personal lists only.
  const undecided = await createTagwise({ features: ['recommend'], clock: () => ${NOW}, storage: 'memory' });
  undecided.loadHints(bytes);
  undecided.trackMany(${JSON.stringify(EVENTS)});
  window.__result = { ok: true, info, cold, browsed, undecided: undecided.recommend({ k: 10 }) };
} catch (e) {
  window.__result = { ok: false, error: String((e && e.stack) || e) };
}
</script></body></html>`;

let server;
let browser;
let bytes;

before(async () => {
  bytes = await buildHintFile(readInteractions());
  server = await startServer({
    routes: {
      '/': PAGE,
      '/__hints/retail.twh': (req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(bytes);
      },
    },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('a page loads the retail hint file and recommends exactly what Node recommends', async () => {
  const { page, problems } = await openPage(browser.context, `${server.baseUrl}/`, { waitFor: () => window.__result !== undefined });
  const r = await page.evaluate(() => window.__result);
  await page.close();
  assert.equal(r.ok, true, r.error);
  assert.deepEqual(problems, []);
  assert.equal(r.info.items, 3659);
  assert.equal(r.info.users, 4334);

  const tw = await createTagwise({ features: ['recommend'], clock: () => NOW });
  tw.loadHints(bytes);
  assert.deepEqual(r.cold, tw.recommend({ k: 10 }));
  tw.trackMany(EVENTS);
  const browsed = tw.recommend({ k: 10, context: { item: '22423' } });
  assert.deepEqual(r.browsed, browsed);

  // The cold list is the fallback chain; after browsing the list is personal
  // and never shows the page's own item.
  assert.ok(r.cold.every((x) => ['trending', 'popular'].includes(x.reasons[0].code)));
  assert.ok(['similar', 'bought_together'].includes(r.browsed[0].reasons[0].code));
  assert.ok(!r.browsed.some((x) => x.item === '22423'));
  assert.ok(r.browsed.some((x) => x.reasons[0].from === 'context'));
  // Consent not given: the same non-personal list as a new visitor, and it says why.
  assert.deepEqual(r.undecided.map((x) => x.item), r.cold.map((x) => x.item));
  assert.ok(r.undecided.every((x) => x.reasons[0].code === 'personalization_off'));
});
