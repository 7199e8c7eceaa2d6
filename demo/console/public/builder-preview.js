// Live preview of the tag being edited on the console's customer sample:
// coverage as `tagwise tag` computes it (the catalog with this tag, every
// purpose granted, at ctx.asOf: a user counts when the tag is in their output
// tags, so parents and exclusive groups apply), the matching customers, and
// the explanation of one customer's decision.
//
// Tagging the sample runs in a worker (builder-worker.js) so the page stays
// responsive; explanations (one customer) run here. Both use their own
// tagwise instances, so loading trial catalogs and profiles never disturbs
// the shared ctx.tw the other tabs use.
import { createTagwise } from 'tagwise';
import { h } from './builder-dom.js';
import { ALL_PURPOSES, tagSample } from './builder-coverage.js';
import { engineMessage, localized } from './engine-text.js';

const LIST_LIMIT = 100;

/** Tags the sample in a worker; falls back to this page's instance when a worker cannot start. */
function createTagger(tw, profiles, asOf) {
  let worker = null;
  const waiting = new Map();
  let seq = 0;
  try {
    worker = new Worker(new URL('./builder-worker.js', import.meta.url), { type: 'module' });
    worker.postMessage({ type: 'init', tagwiseUrl: import.meta.resolve('tagwise'), profiles, asOf });
    worker.addEventListener('message', ({ data }) => {
      waiting.get(data.seq)?.(data);
      waiting.delete(data.seq);
    });
    worker.addEventListener('error', (event) => {
      // The worker failed (e.g. could not load tagwise): answer in the page from now on.
      console.warn('tagwise builder: preview worker failed, tagging in the page', event.message);
      worker = null;
      for (const [, resolve] of waiting) resolve({ retry: true });
      waiting.clear();
    });
  } catch (error) {
    console.warn('tagwise builder: no preview worker, tagging in the page', error);
    worker = null;
  }
  return async function tag(catalog, tagId) {
    if (worker) {
      const answer = await new Promise((resolve) => {
        seq += 1;
        waiting.set(seq, resolve);
        worker.postMessage({ type: 'tag', seq, catalog, tagId });
      });
      if (!answer.retry && !answer.failure) return answer;
    }
    try {
      return tagSample(tw, profiles, catalog, tagId, asOf);
    } catch (error) {
      return { failure: `${error.code ?? ''} ${error.message}` };
    }
  };
}

/**
 * Per-customer facts for the list, computed once: one order_paid per order
 * (as the storefront records a checkout), so orders are those events — the
 * number `events(order_paid)` in a rule counts — and spend is their amounts.
 */
function factsOf(profile) {
  let orders = 0;
  let spend = 0;
  let last = null;
  for (const e of profile.events) {
    if (e.type !== 'order_paid') continue;
    orders += 1;
    spend += Number(e.props?.amount) || 0;
    if (last === null || e.ts > last) last = e.ts;
  }
  return { country: profile.attributes?.country ?? '', orders, spend, last };
}

export async function createPreview(el, { t, lang, sample, asOf, formatRule }) {
  const tw = await createTagwise({ features: ['experiments', 'offers', 'recommend', 'conditions', 'lint', 'text', 'batch'], storage: 'memory', sync: false, purposes: ALL_PURPOSES });
  const profiles = sample.profiles;
  const facts = new Map(profiles.map((p) => [p.user_id, factsOf(p)]));
  const money = new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'zh-CN', { style: 'currency', currency: 'GBP', maximumFractionDigits: 0 });
  const percent = new Intl.NumberFormat(lang === 'en' ? 'en' : 'zh-CN', { style: 'percent', maximumFractionDigits: 1 });

  const summary = h('p', { class: 'rb-coverage', role: 'status', dataset: { testid: 'coverage' } });
  const meter = h('div', { class: 'rb-meter', 'aria-hidden': 'true' }, h('span'));
  const problems = h('ul', { class: 'rb-problems error', hidden: true });
  const listNote = h('p', { class: 'muted' });
  const table = h('table', { class: 'rb-users' });
  const explanation = h('div', { class: 'rb-explain', 'aria-live': 'polite' }, h('p', { class: 'muted' }, t.pickUser));
  // Any customer, matching or not ("why not?"), by id.
  const anyUser = h('input', { type: 'text', id: 'rb-explain-id', list: 'rb-user-ids', autocomplete: 'off', class: 'rb-w-sm' });
  const explainForm = h('form', { class: 'rb-explain-form', on: { submit: (e) => { e.preventDefault(); if (facts.has(anyUser.value.trim())) explain(anyUser.value.trim()); } } },
    h('label', { for: 'rb-explain-id' }, t.explainAny), anyUser,
    h('datalist', { id: 'rb-user-ids' }, profiles.map((p) => h('option', { value: p.user_id }))),
    h('button', { type: 'submit' }, t.explainButton));
  el.replaceChildren(h('h3', {}, t.preview), summary, meter, problems,
    h('h4', {}, t.matches), listNote, h('div', { class: 'rb-table-wrap' }, table), explainForm, explanation);

  let current = null; // { catalog, tagId, rule } of the last successful run
  const state = { matched: 0, total: profiles.length, users: [], fresh: false };

  function showProblems(list) {
    problems.replaceChildren(...list.map((p) => h('li', {}, `${p.code} ${p.path}: ${p.message}`)));
    problems.hidden = list.length === 0;
  }

  /** Marks the preview out of date (while the user types); a run still under way is then ignored. */
  function pending(text = t.previewPending, { cancel = false } = {}) {
    if (cancel) latest += 1;
    state.fresh = false;
    el.dataset.state = 'pending';
    summary.textContent = text;
  }

  const tag = createTagger(tw, profiles, asOf);
  let latest = 0;

  /**
   * Tags the sample with `catalog` and counts `tagId`. Resolves to the
   * catalog's load errors (paths into the catalog), [] when it ran, or null
   * when a later run superseded this one.
   */
  async function run(catalog, tagId, rule) {
    const mine = ++latest;
    pending();
    const answer = await tag(catalog, tagId);
    if (mine !== latest) return null;
    if (answer.failure) {
      showProblems([]);
      pending(`tagwise: ${answer.failure}`);
      el.dataset.state = 'error';
      return [];
    }
    if (answer.errors.length) {
      const errors = answer.errors.map((e) => localized(e, lang));
      showProblems(errors);
      pending(t.catalogErrors);
      el.dataset.state = 'error';
      return errors;
    }
    showProblems([]);
    const { users } = answer;
    Object.assign(state, { matched: users.length, total: profiles.length, users, fresh: true });
    current = { catalog, tagId, rule };
    const share = profiles.length ? users.length / profiles.length : 0;
    summary.textContent = t.coverage(users.length, profiles.length, percent.format(share));
    meter.firstChild.style.width = `${(share * 100).toFixed(1)}%`;
    renderUsers(users);
    el.dataset.state = 'ready';
    el.dataset.matched = String(users.length);
    el.dataset.total = String(profiles.length);
    // Keep the open explanation current with the rule.
    if (el.dataset.explained) explain(el.dataset.explained);
    return [];
  }

  function renderUsers(users) {
    listNote.textContent = users.length === 0 ? t.noMatches : users.length > LIST_LIMIT ? t.showing(LIST_LIMIT, users.length) : '';
    const head = h('tr', {}, [t.user, t.country, t.orders, t.spend, t.lastOrder].map((c) => h('th', { scope: 'col' }, c)));
    const rows = users.slice(0, LIST_LIMIT).map((id) => {
      const f = facts.get(id);
      return h('tr', {},
        h('td', {}, h('button', { type: 'button', class: 'rb-user', dataset: { user: id }, on: { click: () => explain(id) } }, id)),
        h('td', {}, f.country), h('td', { class: 'num', dataset: { field: 'orders' } }, f.orders), h('td', { class: 'num' }, money.format(f.spend)),
        h('td', {}, f.last === null ? '—' : new Date(f.last).toISOString().slice(0, 10)));
    });
    table.replaceChildren(h('thead', {}, head), h('tbody', {}, rows));
  }

  /** The rule fragment at a JSON Pointer (trace paths point into the `when` rule). */
  function at(rule, pointer) {
    let node = rule;
    for (const raw of pointer.split('/').slice(1)) {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      if (node === null || typeof node !== 'object') return undefined;
      node = node[Array.isArray(node) ? Number(key) : key];
    }
    return node;
  }

  function traceNode(node, rule) {
    const fragment = at(rule, node.path);
    let label = node.op;
    try { if (fragment !== undefined) label = formatRule(fragment); } catch { /* keep the op name */ }
    const line = h('div', { class: 'rb-trace-line' },
      h('code', { class: 'rb-trace-op' }, label), ' → ', h('strong', {}, JSON.stringify(node.value)),
      node.matched !== undefined ? h('span', { class: 'muted' }, ` (${t.matched(node.matched)})`) : null);
    const children = (node.args ?? []).filter((a) => a.op !== 'literal');
    return h('li', { class: node.value ? 'rb-true' : 'rb-false' }, line,
      children.length ? h('ul', {}, children.map((c) => traceNode(c, rule))) : null);
  }

  /** Loads the customer's profile into the preview instance and renders tw.explain for the tag. */
  function explain(userId) {
    if (!current) return;
    const profile = profiles.find((p) => p.user_id === userId);
    try {
      tw.loadCatalog(current.catalog, { now: asOf });
      tw.setProfile(profile, { now: asOf });
      const x = tw.explain(current.tagId, { now: asOf });
      explanation.replaceChildren(...[
        h('h4', {}, t.explain(userId)),
        h('p', { dataset: { holds: String(x.holds) } }, h('strong', {}, x.holds ? t.holds : t.notHolds), ` — ${t.source[x.source] ?? x.source}`),
        x.suppressed_by ? h('p', {}, t.suppressedBy, x.suppressed_by) : null,
        x.children_holding?.length ? h('p', {}, t.children, x.children_holding.join(', ')) : null,
        x.error ? h('p', { class: 'error' }, x.error) : null,
        x.when ? h('ul', { class: 'rb-trace' }, traceNode(x.when, current.catalog.tags.find((g) => g.id === current.tagId)?.when)) : h('p', { class: 'muted' }, t.noTrace),
      ].filter(Boolean));
      el.dataset.explained = userId;
    } catch (error) {
      explanation.replaceChildren(h('p', { class: 'error' }, `${error.code ?? ''} ${error.path ?? ''} ${engineMessage(error, lang)}`));
    }
  }

  return { run, pending, state, explain };
}
