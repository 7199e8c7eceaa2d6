// The operator console's catalog-health and A/B test tabs (demo/console/
// public/hygiene.js, experiments.js, insights-*.js) in headless Chromium
// against the demo server. Every number the page shows is recomputed here in
// Node, independently: coverage with tagProfiles on the same customers, the
// A/B assignment with GrowthBook's own SDK, targeting with compiled rules.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { GrowthBook } from '@growthbook/growthbook';
import { createTagwise } from 'tagwise';
import { createDemoServer } from '../../demo/server.mjs';
import { REPO, launchBrowser, openPage } from '../browser/support.mjs';
import { groupEventLog } from '../../demo/console/public/sample.js';

const PURPOSES = ['necessary', 'security', 'personalization', 'marketing', 'analytics'];

let server;
let browser;
let page;
let problems;
let tw;
let profiles;
let meta;
let catalog;

/** build-demo/customers.jsonl grouped per user by the console's own sample.js. */
async function loadProfiles() {
  return groupEventLog(await readFile(`${REPO}build-demo/customers.jsonl`, 'utf8'));
}

/** Runs fn in the page after the hygiene view finished a render newer than `before`. */
async function hygieneRenderAfter(before) {
  await page.waitForFunction((n) => (window.__insights?.runs ?? 0) > n, before, { timeout: 30_000 });
}
const hygieneRuns = () => page.evaluate(() => window.__insights?.runs ?? 0);
const experimentRuns = () => page.evaluate(() => window.__insights?.experiment?.runs ?? 0);

before(async () => {
  [profiles, meta, catalog, tw] = await Promise.all([
    loadProfiles(),
    readFile(`${REPO}build-demo/customers.json`, 'utf8').then(JSON.parse),
    readFile(`${REPO}demo/console/catalog.json`, 'utf8').then(JSON.parse),
    createTagwise({ purposes: PURPOSES }),
  ]);
  server = await createDemoServer({ port: 0 });
  browser = await launchBrowser();
  ({ page, problems } = await openPage(browser.context, new URL('/console#hygiene', server.url).href, {
    waitFor: () => document.body.dataset.ready === 'true' && (window.__insights?.runs ?? 0) >= 1,
  }));
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('hygiene: the coverage chart is drawn and its table equals tagProfiles counts computed in Node', async () => {
  assert.ok(tw.loadCatalog(catalog).ok);
  const expected = Object.fromEntries(catalog.tags.map((t) => [t.id, 0]));
  for (const r of tw.tagProfiles(profiles, { now: meta.asOf, purposes: PURPOSES })) {
    for (const id of Object.keys(r.tags)) expected[id] += 1;
  }
  const shown = await page.evaluate(() => {
    const canvas = document.getElementById('coverage-chart');
    const chart = window.Chart?.getChart(canvas);
    return {
      canvas: canvas ? { w: canvas.width, h: canvas.height, label: canvas.getAttribute('aria-label') } : null,
      chartData: chart ? chart.data.datasets[0].data : null,
      rows: [...document.querySelectorAll('#coverage-table tbody tr')].map((tr) => [tr.dataset.tag, Number(tr.cells[2].textContent)]),
      summary: document.getElementById('hygiene-summary').textContent,
    };
  });
  assert.ok(shown.canvas && shown.canvas.w > 0 && shown.canvas.h > 0, 'the canvas has a size');
  assert.ok(shown.canvas.label.length > 0, 'the chart has a text label');
  assert.deepEqual(Object.fromEntries(shown.rows), expected);
  assert.deepEqual(shown.chartData, catalog.tags.map((t) => expected[t.id]), 'the chart plots the same numbers, in catalog order');
  assert.match(shown.summary, new RegExp(`样本 ${profiles.length} 人`));
});

test('hygiene: the tree shows parent → child and the exclusive lifecycle group by priority, and opens with the keyboard', async () => {
  const tree = await page.evaluate(() => {
    const eu = document.querySelector('#tag-tree .insights-node[data-tag=country_eu]');
    const parentSummary = eu.closest('details').querySelector(':scope > summary .insights-node');
    const lifecycle = document.querySelector('#group-tree li[data-group=lifecycle]');
    return {
      parentOfEu: parentSummary.dataset.tag,
      seasonalKids: [...document.querySelector('#tag-tree .insights-node[data-tag=seasonal_shopper]').closest('details')
        .querySelectorAll(':scope > ul > li > .insights-node')].map((n) => n.dataset.tag),
      lifecycleSummary: lifecycle.querySelector('summary').textContent,
      members: [...lifecycle.querySelectorAll('li[data-member]')].map((li) => [li.dataset.member, li.querySelector('.insights-priority').textContent]),
    };
  });
  assert.equal(tree.parentOfEu, 'country_international');
  assert.deepEqual(tree.seasonalKids, ['christmas_fan', 'easter_fan']);
  assert.match(tree.lifecycleSummary, /互斥/);
  assert.deepEqual(tree.members.map(([id]) => id), ['lc_new', 'lc_active', 'lc_lost', 'lc_churning']);
  assert.match(tree.members[0][1], /40/);

  // Keyboard: a branch's summary takes focus and Enter closes/opens it.
  const summary = page.locator('#group-tree li[data-group=lifecycle] > details > summary');
  await summary.focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.querySelector('#group-tree li[data-group=lifecycle] > details').open), false);
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.querySelector('#group-tree li[data-group=lifecycle] > details').open), true);
});

test('hygiene: a catalog with conflicts shows them, marks the tags in the tree, and re-renders on each change', async () => {
  // Two lifecycle members with the same priority: a warning, coverage still measured.
  const samePriority = structuredClone(catalog);
  samePriority.tags.find((t) => t.id === 'lc_churning').priority = 20;
  let n = await hygieneRuns();
  await page.evaluate((c) => window.__console.setCatalog(c, { source: 'test' }), samePriority);
  await hygieneRenderAfter(n);
  const conflict = await page.evaluate(() => ({
    item: document.querySelector('#hygiene-conflicts li[data-code=same_priority_exclusive]')?.textContent ?? null,
    treeBadge: document.querySelector('#group-tree li[data-member=lc_churning] .insights-badge')?.textContent ?? null,
    rows: document.querySelectorAll('#coverage-table tbody tr').length,
  }));
  assert.ok(conflict.item && /lc_churning/.test(conflict.item), 'the conflict is listed');
  assert.match(conflict.treeBadge, /⚠/);
  assert.equal(conflict.rows, catalog.tags.length);

  // A parent cycle: an error, the tags listed apart in the tree, no coverage.
  const cycle = structuredClone(catalog);
  cycle.tags.push({ id: 'loop_a', parent: 'loop_b', when: true }, { id: 'loop_b', parent: 'loop_a' });
  n = await hygieneRuns();
  await page.evaluate((c) => window.__console.setCatalog(c, { source: 'test' }), cycle);
  await hygieneRenderAfter(n);
  const broken = await page.evaluate(() => ({
    cycle: [...document.querySelectorAll('#hygiene-conflicts li[data-code=cycle]')].length,
    stranded: [...document.querySelectorAll('#tag-tree .insights-stranded .insights-node')].map((x) => x.dataset.tag),
    findingRows: [...document.querySelectorAll('#hygiene-findings tbody tr')].map((tr) => tr.dataset.code),
    coverageTable: document.getElementById('coverage-table') !== null,
  }));
  assert.ok(broken.cycle >= 1);
  assert.deepEqual(broken.stranded.sort(), ['loop_a', 'loop_b']);
  assert.equal(broken.findingRows[0], 'cycle', 'errors sort first');
  assert.equal(broken.coverageTable, false, 'no coverage for a catalog that does not load');

  // Sorting by code with the header button (keyboard: Enter on the focused button).
  await page.locator('#hygiene-findings th:nth-child(2) button').focus();
  await page.keyboard.press('Enter');
  const codes = await page.evaluate(() => [...document.querySelectorAll('#hygiene-findings tbody tr')].map((tr) => tr.dataset.code));
  assert.deepEqual(codes, [...codes].sort((a, b) => a.localeCompare(b)));

  n = await hygieneRuns();
  await page.evaluate((c) => window.__console.setCatalog(c, { source: 'test' }), catalog);
  await hygieneRenderAfter(n);
});

test('hygiene: the low-coverage threshold is a percent; one out of range is said in the UI\'s language, never as the engine\'s check', async () => {
  let n = await hygieneRuns();
  await page.fill('#hygiene-low', '500');
  await page.dispatchEvent('#hygiene-low', 'change');
  await hygieneRenderAfter(n);
  assert.equal(await page.isVisible('#hygiene-low-error'), true);
  assert.match(await page.textContent('#hygiene-low-error'), /0 到 100 之间的百分比/);
  assert.doesNotMatch(await page.textContent('#panel-hygiene'), /share in \(0, 1\]/);
  assert.equal(await page.getAttribute('#hygiene-low', 'aria-invalid'), 'true');
  n = await hygieneRuns();
  await page.fill('#hygiene-low', '0');
  await page.dispatchEvent('#hygiene-low', 'change');
  await hygieneRenderAfter(n);
  assert.equal(await page.isHidden('#hygiene-low-error'), true, '0 % is allowed: no low-coverage findings');
  assert.doesNotMatch(await page.textContent('#hygiene-summary'), /share/);
  n = await hygieneRuns();
  await page.fill('#hygiene-low', '2');
  await page.dispatchEvent('#hygiene-low', 'change');
  await hygieneRenderAfter(n);
});

test('experiments: counts equal GrowthBook assignments and the report equals experiments.report on Node-side targeting', async () => {
  await page.click('#tab-experiments');
  const key = 'insights-test';
  const weights = [0.4, 0.6];
  const coverage = 0.9;
  const ruleB = 'events(order_paid, within 30d) >= 2';
  await page.fill('#exp-key', key);
  await page.selectOption('#exp-tag-A', 'lc_active');
  assert.equal(await page.inputValue('#exp-rule-A'), 'tag("lc_active")', 'picking a tag fills the rule');
  await page.fill('#exp-rule-B', ruleB);
  await page.fill('#exp-weight-A', String(weights[0]));
  await page.fill('#exp-weight-B', String(weights[1]));
  await page.fill('#exp-coverage', String(coverage));
  const n = await experimentRuns();
  await page.click('#exp-run');
  await page.waitForFunction((k) => (window.__insights?.experiment?.runs ?? 0) > k, n, { timeout: 30_000 });

  // Assignment with GrowthBook's SDK; targeting with the catalog (A) and a compiled rule (B).
  assert.ok(tw.loadCatalog(catalog).ok);
  const tagged = tw.tagProfiles(profiles, { now: meta.asOf, purposes: PURPOSES });
  const compiledB = tw.compileRule(tw.parseRuleText(ruleB));
  const expected = { excluded: 0, A: { assigned: 0, targeted: 0, converted: 0 }, B: { assigned: 0, targeted: 0, converted: 0 } };
  profiles.forEach((p, i) => {
    const gb = new GrowthBook({ attributes: { id: p.user_id } });
    const r = gb.run({ key, variations: ['A', 'B'], weights, coverage, hashAttribute: 'id' });
    gb.destroy();
    if (!r.inExperiment) {
      expected.excluded += 1;
      return;
    }
    const c = expected[r.value];
    c.assigned += 1;
    const targeted = r.value === 'A' ? 'lc_active' in tagged[i].tags : compiledB.evaluate({}, { profile: p, now: meta.asOf }) === true;
    if (!targeted) return;
    c.targeted += 1;
    if ((meta.outcomes[p.user_id]?.orders ?? 0) > 0) c.converted += 1;
  });
  const shown = await page.evaluate(() => {
    const cell = (v, f) => Number(document.querySelector(`#exp-counts tr[data-variation=${v}] td[data-field=${f}]`).textContent);
    const row = (v) => ({ assigned: cell(v, 'assigned'), targeted: cell(v, 'targeted'), converted: cell(v, 'converted') });
    const chart = window.Chart?.getChart(document.getElementById('exp-chart'));
    return {
      A: row('A'), B: row('B'),
      excluded: Number(document.getElementById('exp-excluded').dataset.count),
      winner: document.getElementById('exp-winner').dataset.winner,
      winnerText: document.getElementById('exp-winner').textContent,
      pValue: document.querySelector('#exp-report tr[data-variation=B] td[data-field=pValue]').textContent,
      chance: document.querySelector('#exp-report tr[data-variation=B] td[data-field=chance]').textContent,
      chartRates: chart ? chart.data.datasets[0].data : null,
      // The interval is drawn as an interval (whiskers with caps, a plugin of the chart), not as a bar.
      plugins: chart ? chart.config.plugins.map((p) => p.id) : null,
      datasets: chart ? chart.data.datasets.length : null,
      status: document.getElementById('exp-status').textContent,
    };
  });
  assert.ok(expected.excluded > 0 && expected.excluded < profiles.length, 'coverage 0.9 leaves some customers out');
  assert.deepEqual({ A: shown.A, B: shown.B, excluded: shown.excluded }, expected);
  assert.equal(shown.A.assigned + shown.B.assigned, profiles.length - shown.excluded);

  const report = tw.experiments.report({ variations: ['A', 'B'].map((id) => ({ id, users: expected[id].targeted, conversions: expected[id].converted })) });
  assert.equal(shown.winner, report.winner);
  assert.ok(shown.winnerText.length > 0);
  const p = report.variations[1].pValue;
  assert.equal(shown.pValue, p < 0.001 ? '<0.001' : p.toFixed(3));
  assert.deepEqual(shown.chartRates, report.variations.map((v) => v.rate));
  assert.deepEqual(shown.plugins, ['intervalWhiskers']);
  assert.equal(shown.datasets, 1, 'the rates only: no floating bars for the intervals');
  assert.match(shown.status, /A \d+ 人/);
  // Chance to beat control is the Beta posterior (closed form, computed here), shown once the sample allows.
  const [a, b] = ['A', 'B'].map((id) => expected[id]);
  const posterior = betaChance(1 + b.converted, 1 + b.targeted - b.converted, 1 + a.converted, 1 + a.targeted - a.converted);
  assert.ok(Math.abs(report.variations[1].chanceToBeatControl - posterior) < 1e-9);
  const enough = a.converted + b.converted >= report.minConversions;
  assert.equal(shown.chance, enough ? `${(posterior * 100).toFixed(1)}%` : '数据不足');
});

test('experiments: a small sample says "not enough data" instead of a winner, and its chance is the posterior, not the normal approximation', async () => {
  // Strategy B targets a handful of customers: few conversions on both sides.
  await page.fill('#exp-rule-A', 'events(order_paid, within 30d) >= 4');
  await page.fill('#exp-rule-B', 'events(order_paid, within 30d) >= 3');
  await page.fill('#exp-weight-A', '0.5');
  await page.fill('#exp-weight-B', '0.5');
  await page.fill('#exp-coverage', '1');
  const n = await experimentRuns();
  await page.click('#exp-run');
  await page.waitForFunction((k) => (window.__insights?.experiment?.runs ?? 0) > k, n, { timeout: 30_000 });
  const shown = await page.evaluate(() => {
    const cell = (v, f) => Number(document.querySelector(`#exp-counts tr[data-variation=${v}] td[data-field=${f}]`).textContent);
    return {
      counts: ['A', 'B'].map((v) => ({ targeted: cell(v, 'targeted'), converted: cell(v, 'converted') })),
      winner: document.getElementById('exp-winner').dataset.winner,
      enough: document.getElementById('exp-winner').dataset.enough,
      winnerText: document.getElementById('exp-winner').textContent,
      chance: document.querySelector('#exp-report tr[data-variation=B] td[data-field=chance]').textContent,
    };
  });
  const [a, b] = shown.counts;
  assert.ok(a.targeted > 0 && b.targeted > 0, JSON.stringify(shown.counts));
  assert.ok(a.converted + b.converted < 30, `a small sample (${a.converted} + ${b.converted} conversions)`);
  assert.equal(shown.winner, '');
  assert.equal(shown.enough, 'false');
  assert.match(shown.winnerText, new RegExp(`数据不足：两组合计 ${a.converted + b.converted} 次转化，至少需要 30 次`));
  assert.equal(shown.chance, '数据不足');
  const report = tw.experiments.report({ variations: [{ id: 'A', users: a.targeted, conversions: a.converted }, { id: 'B', users: b.targeted, conversions: b.converted }] });
  const posterior = betaChance(1 + b.converted, 1 + b.targeted - b.converted, 1 + a.converted, 1 + a.targeted - a.converted);
  assert.ok(Math.abs(report.variations[1].chanceToBeatControl - posterior) < 1e-9);
  // The operator's case from the issue: 3/3 against 2/5 is 92.9 %, not the normal approximation's 99.7 %.
  const small = tw.experiments.report({ variations: [{ id: 'A', users: 5, conversions: 2 }, { id: 'B', users: 3, conversions: 3 }] });
  assert.equal((small.variations[1].chanceToBeatControl * 100).toFixed(1), '92.9');
  assert.equal((betaChance(4, 1, 3, 4) * 100).toFixed(1), '92.9');
  await page.fill('#exp-rule-A', 'tag("lc_active")');
  await page.fill('#exp-rule-B', 'events(order_paid, within 30d) >= 2');
});

/**
 * P(X > Y) for X ~ Beta(xa, xb), Y ~ Beta(ya, yb) with whole-number parameters:
 * Evan Miller's closed form, a sum of xa terms (log-gamma of integers as sums of logs).
 */
function betaChance(xa, xb, ya, yb) {
  const logFactorial = [0];
  for (let k = 1; k <= xa + xb + ya + yb; k++) logFactorial.push(logFactorial[k - 1] + Math.log(k));
  const logGamma = (n) => logFactorial[n - 1];
  const logBeta = (p, q) => logGamma(p) + logGamma(q) - logGamma(p + q);
  let sum = 0;
  for (let i = 0; i < xa; i++) sum += Math.exp(logBeta(ya + i, xb + yb) - Math.log(xb + i) - logBeta(1 + i, xb) - logBeta(ya, yb));
  return sum;
}

test('experiments: weights not summing to 1 and bad rule text are shown on their fields, nothing is thrown', async () => {
  await page.fill('#exp-weight-A', '0.7');
  await page.fill('#exp-weight-B', '0.5');
  await page.click('#exp-run');
  await page.waitForFunction(() => document.getElementById('exp-weights-error').textContent !== '', null, { timeout: 10_000 });
  assert.match(await page.textContent('#exp-weights-error'), /1\.2/);
  assert.equal(await page.getAttribute('#exp-weight-A', 'aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'exp-weight-A', 'focus moves to the field to fix');

  await page.fill('#exp-weight-A', '0.5');
  await page.fill('#exp-rule-A', 'events(order_paid');
  await page.click('#exp-run');
  await page.waitForFunction(() => document.getElementById('exp-rule-A-error').textContent !== '', null, { timeout: 10_000 });
  assert.match(await page.textContent('#exp-rule-A-error'), /1:\d+/, 'the syntax error says line:column');
  assert.equal(await page.textContent('#exp-weights-error'), '', 'the fixed field no longer shows an error');

  // A rule naming a tag the catalog lacks: refused on that strategy's field.
  await page.fill('#exp-rule-A', 'tag("no_such_tag")');
  await page.click('#exp-run');
  await page.waitForFunction(() => document.getElementById('exp-rule-A-error').textContent !== '', null, { timeout: 10_000 });
  assert.match(await page.textContent('#exp-rule-A-error'), /no_such_tag/);
  await page.fill('#exp-rule-A', 'tag("lc_active")');

  // A catalog change (the builder applying a rule) re-runs a shown backtest with the fixed form.
  const runs = await experimentRuns();
  await page.evaluate((c) => window.__console.setCatalog(c, { source: 'test' }), catalog);
  await page.waitForFunction((k) => (window.__insights?.experiment?.runs ?? 0) > k, runs, { timeout: 30_000 });
  assert.equal(await page.textContent('#exp-rule-A-error'), '');
});

test('both tabs fit 375 px without horizontal scrolling, and nothing was logged as an error', async () => {
  await page.setViewportSize({ width: 375, height: 800 });
  // The catalog changed while the hygiene tab was hidden: showing it re-runs the check.
  const runs = await hygieneRuns();
  for (const tab of ['hygiene', 'experiments']) {
    await page.click(`#tab-${tab}`);
    if (tab === 'hygiene') await hygieneRenderAfter(runs);
    const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    assert.ok(scroll <= client, `${tab}: scrollWidth ${scroll} > ${client}`);
  }
  assert.deepEqual(problems, []);
});

test('English: the tabs speak English when the lang cookie says so', async () => {
  await browser.context.addCookies([{ name: 'lang', value: 'en', url: server.url }]);
  // Opened on the A/B tab so the (slow) catalog check does not run: the headings are there from mount.
  const { page: en, problems: enProblems } = await openPage(browser.context, new URL('/console#experiments', server.url).href, {
    waitFor: () => document.body.dataset.ready === 'true',
  });
  assert.equal(await en.textContent('#panel-hygiene h2'), 'Catalog health');
  assert.equal(await en.textContent('#panel-experiments h2'), 'A/B tests');
  assert.match(await en.textContent('#exp-intro'), /backtest/);
  assert.equal(await en.textContent('#exp-run'), 'Run backtest');
  await en.close();
  await browser.context.clearCookies();
  assert.deepEqual(enProblems, []);
});
