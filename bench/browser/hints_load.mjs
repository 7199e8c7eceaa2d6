// Hint-file load benchmark in headless Chromium (a program, not a test):
// tw.loadHints(bytes) for the hint file of the whole retail log, built in
// Node with the package's builder. Budget of issue 6: loading ≤ 20 ms.
//
//   node bench/browser/hints_load.mjs [--runs 10]
//
// Each run is a fresh page: createTagwise() (not timed), fetch the file
// (timed apart: a network cost, cacheable), then the first loadHints (timed)
// and a second loadHints of the same bytes (warm), and one recommend().
// Prints the medians, the file size and its gzipped size.
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';

import { launchBrowser, openPage, startServer } from '../../tests/browser/support.mjs';
import { buildHintFile, readInteractions } from '../retail_hints.mjs';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '10' } } });
const RUNS = Number(args.runs);
const BUDGET_MS = 20;

const bytes = await buildHintFile(readInteractions());
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body>
<script type="module">
import { createTagwise } from '/js/index.js';
const tw = await createTagwise({ storage: 'memory', features: ['recommend'] });
const t0 = performance.now();
const bytes = new Uint8Array(await (await fetch('/__hints/retail.twh')).arrayBuffer());
const t1 = performance.now();
const info = tw.loadHints(bytes);
const t2 = performance.now();
tw.loadHints(bytes);
const t3 = performance.now();
const list = tw.recommend({ k: 10 });
window.__result = { fetch: t1 - t0, load: t2 - t1, reload: t3 - t2, items: info.items, listed: list.length };
</script></body></html>`;

const server = await startServer({
  routes: {
    '/__hints/': PAGE,
    '/__hints/retail.twh': (req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(bytes);
    },
  },
});
const browser = await launchBrowser();
const samples = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const { page, problems } = await openPage(browser.context, `${server.baseUrl}/__hints/`, { waitFor: () => window.__result !== undefined });
    const r = await page.evaluate(() => window.__result);
    await page.close();
    if (problems.length) throw new Error(problems.join('\n'));
    if (r.items !== 3659 || r.listed !== 10) throw new Error(`unexpected page result ${JSON.stringify(r)}`);
    samples.push(r);
  }
} finally {
  await browser.close();
  await server.close();
}

const median = (key) => {
  const v = samples.map((s) => s[key]).sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const load = median('load');
console.log(`hint file: ${bytes.length} bytes, ${gzipSync(bytes, { level: 9 }).length} bytes gzipped`);
console.log(`Chromium, ${RUNS} fresh pages: fetch ${median('fetch').toFixed(1)} ms, loadHints first ${load.toFixed(1)} ms `
  + `(budget ≤ ${BUDGET_MS} ms: ${load <= BUDGET_MS ? 'met' : 'NOT met'}), again ${median('reload').toFixed(1)} ms`);
