// The console's "A/B 实验 / A/B tests" tab: an A/B test of two tag strategies
// backtested on the customer sample (insights-backtest.js). The backtest has
// its own tagwise instance: run() keeps a ledger of assignments and
// loadCatalog replaces the catalog, and neither may disturb the builder's
// shared instance. Every problem is shown next to its field, never thrown.
import { createTagwise } from 'tagwise';
import { h } from './insights-dom.js';
import { textFor } from './insights-text.js';
import { PURPOSES, VARIATIONS, definitionProblems, runBacktest } from './insights-backtest.js';
import { renderCounts, renderReportChart, renderReportTable } from './insights-report.js';
import { insightsState } from './hygiene.js';
import { engineMessage } from './engine-text.js';

// A first test that makes sense on this catalog: the broad "active" segment against the narrow frequent buyers.
const DEFAULT_RULES = { A: 'lc_active', B: 'frequent_buyer' };

/** A labelled control with an error line under it (aria-describedby links them). */
function field(id, label, control, help) {
  control.id = id;
  const error = h('p', { class: 'insights-field-error', id: `${id}-error`, role: 'alert' });
  const helpEl = help ? h('p', { class: 'muted', id: `${id}-help` }, help) : null;
  control.setAttribute('aria-describedby', [helpEl && helpEl.id, error.id].filter(Boolean).join(' '));
  return { wrap: h('div', {}, h('label', { for: id }, label), control, helpEl, error), control, error };
}

export function mountExperiments(el, ctx) {
  const t = textFor(ctx.lang);
  let backtestTw = null; // created on the first run
  let chart = null;
  let hasRun = false;

  const key = field('exp-key', t.key, h('input', { type: 'text', value: 'tag-strategy-test', autocomplete: 'off', spellcheck: 'false' }));
  const strategy = {};
  for (const v of VARIATIONS) {
    const pick = field(`exp-tag-${v}`, t.pickTag, h('select'));
    const rule = field(`exp-rule-${v}`, t.ruleText,
      h('input', { type: 'text', value: ctx.tw.formatRule({ tag: [DEFAULT_RULES[v]] }), autocomplete: 'off', spellcheck: 'false' }), t.ruleHelp);
    // Picking a tag writes its rule into the text field: the text is what runs.
    pick.control.addEventListener('change', () => {
      if (!pick.control.value) return;
      rule.control.value = ctx.tw.formatRule({ tag: [pick.control.value] });
      clearError(rule);
    });
    strategy[v] = { pick, rule };
  }
  const weight = {
    A: h('input', { type: 'number', id: 'exp-weight-A', step: '0.05', min: '0', max: '1', value: '0.5' }),
    B: h('input', { type: 'number', id: 'exp-weight-B', step: '0.05', min: '0', max: '1', value: '0.5' }),
  };
  const weightsError = h('p', { class: 'insights-field-error', id: 'exp-weights-error', role: 'alert' });
  for (const v of VARIATIONS) weight[v].setAttribute('aria-describedby', 'exp-weights-error');
  const coverage = field('exp-coverage', t.coverageField, h('input', { type: 'number', step: '0.05', min: '0', max: '1', value: '1' }));
  const hash = field('exp-hash', t.hashAttr, h('input', { type: 'text', value: 'id', autocomplete: 'off', spellcheck: 'false' }));
  const general = h('p', { class: 'insights-field-error', id: 'exp-error', role: 'alert' });
  const runButton = h('button', { type: 'submit', class: 'primary', id: 'exp-run' }, t.run);
  const form = h('form', { class: 'insights-form', id: 'exp-form', novalidate: true },
    key.wrap,
    h('div', { class: 'insights-strategies' }, VARIATIONS.map((v) => h('fieldset', {},
      h('legend', {}, v === 'A' ? t.strategyA : t.strategyB), strategy[v].pick.wrap, strategy[v].rule.wrap))),
    h('fieldset', { id: 'exp-weights' }, h('legend', {}, t.weights),
      h('div', { class: 'insights-row' },
        h('div', {}, h('label', { for: 'exp-weight-A' }, t.weightA), weight.A),
        h('div', {}, h('label', { for: 'exp-weight-B' }, t.weightB), weight.B)),
      weightsError),
    h('div', { class: 'insights-row' }, coverage.wrap, hash.wrap),
    h('div', {}, runButton), general);
  const status = h('p', { id: 'exp-status', 'aria-live': 'polite', class: 'muted' });
  const countsOut = h('div', { id: 'exp-counts-out' });
  const reportOut = h('div', { id: 'exp-report-out' });
  const chartOut = h('div');
  el.replaceChildren(
    h('h2', {}, t.expTitle), h('p', { class: 'muted', id: 'exp-intro' }, t.expIntro), form, status,
    h('section', { 'aria-labelledby': 'exp-h-counts' }, h('h3', { id: 'exp-h-counts' }, t.counts), countsOut),
    h('section', { 'aria-labelledby': 'exp-h-report' }, h('h3', { id: 'exp-h-report' }, t.report), reportOut, chartOut));

  function fillTagOptions() {
    const tags = Array.isArray(ctx.getCatalog()?.tags) ? ctx.getCatalog().tags.filter((x) => x?.id) : [];
    for (const v of VARIATIONS) {
      const select = strategy[v].pick.control;
      const keep = select.value;
      select.replaceChildren(h('option', { value: '' }, t.pickTagNone),
        ...tags.map((x) => h('option', { value: x.id }, x.name && x.name !== x.id ? `${x.name} (${x.id})` : x.id)));
      select.value = tags.some((x) => x.id === keep) ? keep : '';
    }
  }

  function clearError(f) {
    f.error.textContent = '';
    f.control.removeAttribute('aria-invalid');
  }
  function clearErrors() {
    for (const f of [key, coverage, hash, ...VARIATIONS.map((v) => strategy[v].rule)]) clearError(f);
    weightsError.textContent = '';
    for (const v of VARIATIONS) weight[v].removeAttribute('aria-invalid');
    general.textContent = '';
  }
  /** Shows each problem on its field; focuses the first so keyboard users land on it. */
  function showProblems(problems, { focus = true } = {}) {
    const targets = {
      key: [key.control], coverage: [coverage.control], hashAttribute: [hash.control], weights: [weight.A, weight.B],
      ruleA: [strategy.A.rule.control], ruleB: [strategy.B.rule.control], general: [],
    };
    const errorEl = {
      key: key.error, coverage: coverage.error, hashAttribute: hash.error, weights: weightsError,
      ruleA: strategy.A.rule.error, ruleB: strategy.B.rule.error, general,
    };
    let first = null;
    for (const p of problems) {
      const out = errorEl[p.field] ?? general;
      const message = p.catalogBroken ? t.catalogFailed : p.message;
      out.textContent = out.textContent ? `${out.textContent} ${message}` : message;
      for (const c of targets[p.field] ?? []) c.setAttribute('aria-invalid', 'true');
      first ??= (targets[p.field] ?? [])[0];
    }
    // Only after the user's own Run: a re-run caused by a catalog change must not steal focus.
    if (focus) first?.focus();
    status.textContent = t.fixErrors;
  }

  /** Parses both rule texts; a syntax error names its "line:column". */
  function parseRules() {
    const rules = [];
    const problems = [];
    for (const v of VARIATIONS) {
      try {
        rules.push(ctx.tw.parseRuleText(strategy[v].rule.control.value));
      } catch (error) {
        const message = engineMessage(error);
        problems.push({ field: `rule${v}`, message: error.path ? `${message} (${error.path})` : message });
      }
    }
    return { rules, problems };
  }

  let busy = false;
  let again = false;
  async function run({ fromUser = true } = {}) {
    // A guard rather than disabling the button: a disabled button drops the keyboard focus.
    // A catalog change during a run is not lost: it runs once more afterwards.
    if (busy) {
      again ||= !fromUser;
      return;
    }
    busy = true;
    runButton.setAttribute('aria-busy', 'true');
    clearErrors();
    status.textContent = t.running;
    try {
      // The backtest blocks the page for about a second: let the message paint first.
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      backtestTw ??= await createTagwise({ features: ['experiments', 'offers', 'recommend', 'conditions', 'lint', 'text', 'batch'], storage: 'memory', sync: false, purposes: PURPOSES });
      const definition = {
        key: key.control.value,
        weights: VARIATIONS.map((v) => Number(weight[v].value)),
        coverage: Number(coverage.control.value),
        hashAttribute: hash.control.value,
        asOf: ctx.asOf,
      };
      // Every problem of the form at once: the rules' text and the definition.
      const { rules, problems } = parseRules();
      if (problems.length) {
        showProblems([...problems, ...definitionProblems(backtestTw, definition)], { focus: fromUser });
        return;
      }
      const result = runBacktest(backtestTw, {
        ...definition,
        rules,
        catalog: ctx.getCatalog(),
        profiles: ctx.sample.profiles,
        outcomes: ctx.sample.meta.outcomes,
      });
      if (result.problems) {
        showProblems(result.problems, { focus: fromUser });
        return;
      }
      hasRun = true;
      const { counts, report, reportError } = result;
      countsOut.replaceChildren(...renderCounts(counts, ctx.sample.profiles.length, t));
      chart?.destroy();
      chart = null;
      const state = insightsState();
      state.experiment = { counts, report, runs: (state.experiment?.runs ?? 0) + 1 };
      if (!report || VARIATIONS.some((v) => counts[v].targeted === 0)) {
        reportOut.replaceChildren(h('p', { class: 'insights-note' }, reportError ?? t.noUsers));
        chartOut.replaceChildren();
      } else {
        reportOut.replaceChildren(...renderReportTable(report, t));
        chart = await renderReportChart(chartOut, report, t);
      }
      status.textContent = t.done(counts.A.assigned, counts.B.assigned, counts.excluded);
      el.dataset.runs = String(state.experiment.runs);
    } catch (error) {
      general.textContent = error.message; // unexpected: still on the page, not only in the console
      status.textContent = '';
    } finally {
      busy = false;
      runButton.removeAttribute('aria-busy');
      if (again) {
        again = false;
        run({ fromUser: false });
      }
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    run();
  });
  // Strategies may name tags whose rules just changed, so a shown result goes
  // stale with the catalog; it is recomputed when the tab is (or becomes) visible.
  let stale = false;
  ctx.onCatalogChange(() => {
    fillTagOptions();
    if (!hasRun) return;
    stale = true;
    if (!el.hidden) {
      stale = false;
      run({ fromUser: false });
    }
  });
  new MutationObserver(() => {
    if (el.hidden || !stale) return;
    stale = false;
    run({ fromUser: false });
  }).observe(el, { attributes: true, attributeFilter: ['hidden'] });
  fillTagOptions();
}
