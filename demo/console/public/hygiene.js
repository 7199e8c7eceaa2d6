// The console's "目录体检 / Catalog health" tab: the catalog's lint report on
// the customer sample — conflicts, every finding (sortable), coverage per tag
// as a chart and a table, and the tag tree with its groups. Lint runs on the
// shared instance: lintCatalog does not touch the loaded catalog or profile
// (index.d.ts), so the builder's state is safe.
import { h } from './insights-dom.js';
import { textFor } from './insights-text.js';
import { renderConflicts, renderFindingsTable } from './insights-findings.js';
import { renderCoverage } from './insights-coverage.js';
import { renderTree } from './insights-tree.js';
import { localized } from './engine-text.js';

/** Shared with experiments.js: what tests and devtools can read. */
export function insightsState() {
  window.__insights ??= { runs: 0 };
  return window.__insights;
}

export function mountHygiene(el, ctx) {
  const t = textFor(ctx.lang);
  const threshold = h('input', { type: 'number', id: 'hygiene-low', min: '0', max: '100', step: '0.5', value: '2', class: 'insights-small', 'aria-describedby': 'hygiene-low-error' });
  const thresholdError = h('span', { id: 'hygiene-low-error', class: 'error', role: 'alert', hidden: true });
  const summary = h('p', { id: 'hygiene-summary', class: 'insights-summary', 'aria-live': 'polite' });
  const conflicts = h('div');
  const findings = h('div');
  const coverage = h('div');
  const tree = h('div');
  el.replaceChildren(
    h('h2', {}, t.hygieneTitle),
    h('p', { class: 'muted' }, t.hygieneIntro(ctx.sample.profiles.length, new Date(ctx.asOf).toISOString().slice(0, 10))),
    h('p', {}, h('label', { for: 'hygiene-low' }, t.lowThreshold), ' ', threshold, ' ', thresholdError),
    summary,
    h('section', { 'aria-labelledby': 'hygiene-h-conflicts' }, h('h3', { id: 'hygiene-h-conflicts' }, t.conflicts), conflicts),
    h('section', { 'aria-labelledby': 'hygiene-h-coverage' }, h('h3', { id: 'hygiene-h-coverage' }, t.coverage), coverage),
    h('section', { 'aria-labelledby': 'hygiene-h-tree' }, h('h3', { id: 'hygiene-h-tree' }, t.tree), tree),
    h('section', { 'aria-labelledby': 'hygiene-h-findings' }, h('h3', { id: 'hygiene-h-findings' }, t.findings), findings),
  );

  let chart = null;
  let stale = true;
  let scheduled = false;

  async function render() {
    stale = false;
    const catalog = ctx.getCatalog();
    // A percent from 0 (no low-coverage findings) to 100, said in the UI's
    // language; the engine's own check (a share in (0, 1]) is never shown raw.
    const percent = threshold.value.trim() === '' ? NaN : Number(threshold.value);
    const valid = Number.isFinite(percent) && percent >= 0 && percent <= 100;
    thresholdError.hidden = valid;
    thresholdError.textContent = valid ? '' : t.lowThresholdRange(threshold.value);
    if (valid) threshold.removeAttribute('aria-invalid'); else threshold.setAttribute('aria-invalid', 'true');
    const low = valid ? percent / 100 : 0.02;
    let report;
    try {
      report = ctx.tw.lintCatalog(catalog, { sample: ctx.sample.profiles, now: ctx.asOf, lowCoverage: low > 0 ? low : undefined });
      // Findings in the UI's language (engine-text.js), everywhere they are shown below.
      report = { ...report, findings: report.findings.map((f) => localized(f)) };
    } catch (error) {
      // Only an unreadable sample throws (index.d.ts); say so instead of failing silently.
      summary.textContent = error.message;
      return;
    }
    const count = (pred) => report.findings.filter(pred).length;
    summary.textContent = t.summary({
      sample: report.sampleSize,
      errors: count((f) => f.severity === 'error'),
      warnings: count((f) => f.severity === 'warning'),
      dead: count((f) => f.code === 'dead_tag'),
      low: count((f) => f.code === 'low_coverage'),
    });
    conflicts.replaceChildren(renderConflicts(report.findings, t));
    findings.replaceChildren(renderFindingsTable(report.findings, t));
    tree.replaceChildren(...renderTree(catalog, report, t));
    const tagsById = new Map((Array.isArray(catalog?.tags) ? catalog.tags : []).filter((x) => x?.id).map((x) => [x.id, x]));
    chart?.destroy();
    chart = null;
    const state = insightsState();
    state.lint = report;
    state.coverage = Object.fromEntries(report.coverage.map((c) => [c.tagId, c.users]));
    chart = await renderCoverage(coverage, { coverage: report.coverage, sampleSize: report.sampleSize, findings: report.findings, tagsById, lang: ctx.lang, t });
    state.runs = (state.runs ?? 0) + 1; // tests wait on this: the whole view, chart included, is drawn
    el.dataset.rendered = String(state.runs);
  }

  // Lint takes a few hundred ms on the sample: run it after the event that
  // asked for it (a builder edit, a file load) has finished, once per burst,
  // and only while the tab is visible — a hidden tab catches up when shown.
  function refresh() {
    stale = true;
    if (el.hidden || scheduled) return;
    scheduled = true;
    // Say it is working first: lint blocks the page for about a second in a
    // browser, so let one frame paint the message before it starts.
    summary.textContent = t.checking;
    el.setAttribute('aria-busy', 'true');
    requestAnimationFrame(() => setTimeout(async () => {
      scheduled = false;
      if (stale && !el.hidden) await render();
      el.removeAttribute('aria-busy');
    }, 0));
  }

  ctx.onCatalogChange(refresh);
  threshold.addEventListener('change', refresh);
  new MutationObserver(() => { if (!el.hidden && stale) refresh(); }).observe(el, { attributes: true, attributeFilter: ['hidden'] });
  refresh();
}
