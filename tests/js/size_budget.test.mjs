// Byte budgets of what a storefront fetches (issue 18). Sizes are
// deterministic for a given build, so they may be tests; times are not (see
// bench/browser/first_load.mjs). Every chunk is printed with its size.
//
// The bars, which are the budgets: the page (tag path) ≤ 150 KB
// gzip, a page loading everything up front (the entry's JS and the full
// module) ≤ 300 KB (the size table in docs/benchmarks.md), so growth
// anywhere fails here and has to be paid for.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPageBytes, measurePageBytes } from '../../bench/size/page_bytes.mjs';

const KB = 1024;
const PAGE_BUDGET = 150 * KB;      // issue 18's bar
const FEATURES_BUDGET = 300 * KB;  // what tw.ready(feature) adds
const EVERYTHING_BUDGET = 300 * KB;  // issue 18's bar: createTagwise({ features }) fetches the entry's JS and all that

test('what a page fetches for a visitor\'s tags, and what the first feature adds, stay within budget', async () => {
  const m = await measurePageBytes();
  console.log(formatPageBytes(m));
  assert.ok(m.page.some((r) => r.file === 'js/dist/tagwise_page.wasm'), 'the page fetches the page runtime');
  assert.ok(m.features.some((r) => r.file.startsWith('lazy chunk')), 'the full module\'s glue is a lazily fetched chunk');
  assert.ok(!m.page.some((r) => r.file.includes('tagwise_features')), 'nothing of the full module is fetched up front');
  assert.ok(m.pageGzip <= PAGE_BUDGET, `page ${(m.pageGzip / KB).toFixed(1)} KB gzip > budget ${PAGE_BUDGET / KB} KB`);
  assert.ok(m.featuresGzip <= FEATURES_BUDGET, `features ${(m.featuresGzip / KB).toFixed(1)} KB gzip > budget ${FEATURES_BUDGET / KB} KB`);
  const entry = m.page.filter((r) => r.file.startsWith('entry chunk')).reduce((a, r) => a + r.gzip, 0);
  const everything = entry + m.featuresGzip;
  assert.ok(everything <= EVERYTHING_BUDGET, `everything up front ${(everything / KB).toFixed(1)} KB gzip > budget ${EVERYTHING_BUDGET / KB} KB`);
});
