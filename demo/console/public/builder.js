// The console's rule builder tab: pick a tag (or start a new one), edit its
// `when` rule in three synchronised views — the visual tree, the JSON and the
// text form — see tagwise's validation problems on the rows they concern,
// preview the tag on the customer sample, and apply it to the catalog.
//
// One value is the truth: `rule` (JSON). An edit in the tree rewrites both
// textareas; an edit in a textarea (debounced) rebuilds the tree and rewrites
// the other textarea, never the one being typed in. A textarea that does not
// parse shows the error and leaves the last good rule in place.
import { h, select } from './builder-dom.js';
import { countRaw, ruleFromTree, treeFromRule, valueTypeProblems } from './builder-model.js';
import { createPreview } from './builder-preview.js';
import { summaryOf } from './builder-summary.js';
import { textFor } from './builder-text.js';
import { createTreeView } from './builder-tree.js';
import { engineMessage, localized } from './engine-text.js';

const NEW = '__new__';
const DRAFT_ID = '__draft__'; // the new tag's id in previews until it has a valid one
const TYPING_DELAY = 300;
const PREVIEW_DELAY = 250; // tagging the 240 customers takes a few hundred ms: wait for a pause
const DRAFT_DELAY = 200;
const DIMENSIONS = ['basic', 'behavior', 'preference', 'value', 'lifecycle', 'risk'];

/** Attribute names, event types and event props seen in the sample (for the rows' suggestions). */
function vocabularyOf(sample) {
  const attrs = new Set();
  const types = new Set();
  const props = new Set();
  for (const p of sample.profiles) {
    for (const k of Object.keys(p.attributes ?? {})) attrs.add(k);
    for (const e of p.events) {
      types.add(e.type);
      for (const k of Object.keys(e.props ?? {})) props.add(k);
    }
  }
  return { attrs: [...attrs].sort(), types: [...types].sort(), props: [...props].sort() };
}

// The engine's message in the page's language (engine-text.js), after its stable code.
const describe = (error) => `${error.code ? `${error.code}: ` : ''}${engineMessage(error)}`;

export function mountBuilder(el, ctx) {
  const t = textFor(ctx.lang);
  const { tw } = ctx;

  let tagId = ctx.getCatalog().tags?.[0]?.id ?? NEW;
  let root = treeFromRule(null);
  let rule = null;
  let paths = new Map();
  let problems = [];
  let parseError = null; // a textarea that does not parse blocks "apply"
  let dirty = false;

  // ---- layout
  const tagSelect = h('select', { id: 'rb-tag', dataset: { testid: 'tag-select' } });
  const newId = h('input', { type: 'text', id: 'rb-new-id', autocomplete: 'off', spellcheck: 'false', placeholder: 'vip_uk' });
  const newName = h('input', { type: 'text', id: 'rb-new-name', autocomplete: 'off' });
  const newDimension = select({ id: 'rb-new-dimension' }, DIMENSIONS.map((d) => [d, d]), 'behavior');
  const newFields = h('div', { class: 'rb-newtag', hidden: true },
    h('label', { for: 'rb-new-id' }, t.id), newId, h('label', { for: 'rb-new-name' }, t.name), newName,
    h('label', { for: 'rb-new-dimension' }, t.dimension), newDimension, h('p', { class: 'rb-msg error', id: 'rb-id-error', hidden: true }, t.badId));
  const noRule = h('p', { class: 'muted rb-norule', hidden: true }, t.noRule);
  const rawNotice = h('p', { class: 'rb-notice', role: 'note', hidden: true });
  const treeEl = h('div', { class: 'rb-tree', dataset: { testid: 'tree' } });
  const summaryEl = h('p', { id: 'rb-summary', class: 'rb-summary', 'aria-live': 'polite' });
  const draftNotice = h('p', { id: 'rb-draft', class: 'rb-draft', role: 'note', hidden: true });
  const problemList = h('ul', { class: 'rb-problems', 'aria-label': t.errors });
  const jsonArea = h('textarea', { id: 'rb-json', rows: 12, spellcheck: 'false', autocomplete: 'off', class: 'rb-code', 'aria-describedby': 'rb-json-error' });
  const jsonError = h('p', { id: 'rb-json-error', class: 'error', role: 'alert', hidden: true });
  const textArea = h('textarea', { id: 'rb-text', rows: 4, spellcheck: 'false', autocomplete: 'off', class: 'rb-code', 'aria-describedby': 'rb-text-error' });
  const textError = h('p', { id: 'rb-text-error', class: 'error', role: 'alert', hidden: true });
  const applyButton = h('button', { type: 'button', class: 'primary', id: 'rb-apply' }, t.apply);
  const revertButton = h('button', { type: 'button', id: 'rb-revert' }, t.revert);
  const previewEl = h('section', { class: 'rb-preview', 'aria-label': t.preview, dataset: { state: 'pending' } });

  el.replaceChildren(h('div', { class: 'rb' },
    h('div', { class: 'rb-tagbar' }, h('label', { for: 'rb-tag' }, t.tag), tagSelect, newFields),
    h('div', { class: 'rb-main' },
      h('section', { class: 'rb-editor', 'aria-label': t.visual },
        h('h3', {}, t.visual), draftNotice, noRule, rawNotice, summaryEl, treeEl,
        h('h4', {}, t.errors), problemList,
        h('div', { class: 'rb-views' },
          h('div', {}, h('label', { for: 'rb-json' }, t.json), jsonArea, jsonError),
          h('div', {}, h('label', { for: 'rb-text' }, t.text), textArea, textError)),
        h('div', { class: 'rb-buttons' }, applyButton, revertButton)),
      previewEl)));

  const tree = createTreeView(treeEl, {
    t, getRoot: () => root, formatRule: (r) => tw.formatRule(r),
    vocabulary: { ...vocabularyOf(ctx.sample), tags: () => (ctx.getCatalog().tags ?? []).map((g) => g.id) },
    onChange: () => { dirty = true; sync('tree'); },
  });

  // ---- the catalog with the edited tag

  const existingIds = () => new Set((ctx.getCatalog().tags ?? []).map((g) => g.id));
  const validNewId = () => /^[\w.-]+$/.test(newId.value) && !existingIds().has(newId.value);

  /** The catalog being edited with this tag's `when` replaced by `next` (or the new tag appended). */
  function catalogWith(next, id = tagId === NEW ? (validNewId() ? newId.value : DRAFT_ID) : tagId) {
    const catalog = structuredClone(ctx.getCatalog());
    catalog.tags = catalog.tags ?? [];
    let tag = catalog.tags.find((g) => g.id === (tagId === NEW ? null : tagId));
    if (!tag) {
      tag = { id, name: newName.value || id, dimension: newDimension.value };
      catalog.tags.push(tag);
    }
    if (next === null) delete tag.when; else tag.when = next;
    return { catalog, id, index: catalog.tags.indexOf(tag) };
  }

  // ---- keeping the views in sync

  function setTree(next) {
    root = treeFromRule(next);
    tree.render(null);
  }

  /** After a change from `source` ('tree' | 'json' | 'text' | 'load'): rewrite the other views, validate, preview. */
  function sync(source) {
    ({ rule, paths } = ruleFromTree(root));
    if (source !== 'json') jsonArea.value = JSON.stringify(rule, null, 2);
    if (source !== 'text') {
      try { textArea.value = tw.formatRule(rule); } catch (error) { textArea.value = ''; showError(textError, describe(error)); }
    }
    if (source !== 'json') showError(jsonError, null);
    if (source !== 'text') showError(textError, null);
    parseError = null;
    noRule.hidden = rule !== null;
    summaryEl.textContent = rule === null ? '' : summaryOf(root, ctx.lang);
    if (dirty && source !== 'load') saveDraft();
    const raw = countRaw(root);
    rawNotice.hidden = raw === 0;
    rawNotice.textContent = raw ? t.rawNotice(raw) : '';
    validate();
    schedulePreview();
  }

  function showError(target, text) {
    target.hidden = text === null;
    target.textContent = text ?? '';
  }

  function validate(extra = []) {
    // Values the builder knows cannot match their row (a count against "two") are errors too.
    const typed = valueTypeProblems(root, paths).map((p) => ({
      code: 'wrong_value_type', path: p.path, message: t.notANumber(p.value), severity: 'error', source: 'builder',
    }));
    problems = [...(rule === null ? [] : tw.validateRule(rule).map((p) => localized(p, ctx.lang))), ...typed, ...extra];
    const marked = tree.markProblems(problems, paths);
    problemList.replaceChildren(...marked.map(({ problem, id }) => h('li', { class: problem.severity === 'error' ? 'error' : 'rb-warning' },
      h('button', {
        type: 'button', class: 'rb-link',
        on: { click: () => treeEl.querySelector(`[data-id="${CSS.escape(id)}"] :is(input, select, button)`)?.focus() },
      }, `${problem.severity === 'error' ? t.error : t.warning} ${problem.path || '/'}`), ` ${problem.code}: ${problem.message}`)));
    el.dataset.problems = String(problems.filter((p) => p.severity === 'error').length);
    updateApply();
  }

  function updateApply() {
    const blocked = parseError !== null || problems.some((p) => p.severity === 'error') || (tagId === NEW && !validNewId());
    applyButton.disabled = blocked;
    newFields.querySelector('#rb-id-error').hidden = tagId !== NEW || newId.value === '' || validNewId();
  }

  // Textareas: parse after a pause in typing; the preview is stale at once.
  // Leaving a textarea that parses rewrites it in the canonical form (what
  // the rule now is), so the three views agree again.
  function onTyping(area, errorEl, parse, source, canonical) {
    let timer = null;
    const apply = () => {
      timer = null;
      let next;
      try {
        next = parse(area.value);
      } catch (error) {
        parseError = error;
        showError(errorEl, source === 'json'
          ? t.jsonError(positionOf(error, area.value))
          : t.textError(engineMessage(error, ctx.lang), error.path ?? ''));
        updateApply();
        schedulePreview(); // back to the last good rule's preview
        return;
      }
      dirty = true;
      showError(errorEl, null); // it parses now: the error it had is gone
      setTree(next);
      sync(source);
    };
    area.addEventListener('input', () => {
      clearTimeout(timer);
      preview?.pending(undefined, { cancel: true });
      timer = setTimeout(apply, TYPING_DELAY);
    });
    area.addEventListener('change', () => {
      if (timer !== null) { clearTimeout(timer); apply(); }
      if (parseError === null) {
        try { area.value = canonical(); } catch (error) { showError(errorEl, describe(error)); }
      }
    });
  }
  onTyping(jsonArea, jsonError, (text) => JSON.parse(text), 'json', () => JSON.stringify(rule, null, 2));
  onTyping(textArea, textError, (text) => tw.parseRuleText(text), 'text', () => tw.formatRule(rule));

  /** JSON.parse's message plus line:column when it names a position. */
  function positionOf(error, text) {
    const m = /position (\d+)/.exec(error.message);
    if (!m) return error.message;
    const before = text.slice(0, Number(m[1])).split('\n');
    return `${error.message} (${before.length}:${before.at(-1).length + 1})`;
  }

  // ---- preview

  let preview = null;
  let previewTimer = null;
  function schedulePreview() {
    if (!preview) return;
    preview.pending(undefined, { cancel: true });
    clearTimeout(previewTimer);
    previewTimer = setTimeout(runPreview, PREVIEW_DELAY);
  }
  async function runPreview() {
    if (problems.some((p) => p.severity === 'error' && p.source !== 'catalog')) {
      preview.pending(t.previewBlocked, { cancel: true });
      previewEl.dataset.state = 'blocked';
      return;
    }
    const { catalog, id, index } = catalogWith(rule);
    const errors = await preview.run(catalog, id, rule);
    if (errors === null) return; // superseded by a later run
    // Catalog-level problems of this tag's rule (unknown tag, cycle) go on its rows too.
    const prefix = `/tags/${index}/when`;
    const mine = errors.filter((e) => e.path === prefix || e.path.startsWith(`${prefix}/`))
      .map((e) => ({ ...e, path: e.path.slice(prefix.length), source: 'catalog' }));
    if (mine.length) validate(mine);
  }
  createPreview(previewEl, { t, lang: ctx.lang, sample: ctx.sample, asOf: ctx.asOf, formatRule: (r) => tw.formatRule(r) })
    .then((p) => { preview = p; schedulePreview(); })
    .catch((error) => { previewEl.textContent = `tagwise: ${describe(error)}`; });

  // ---- choosing the tag

  function fillTagSelect() {
    const tags = ctx.getCatalog().tags ?? [];
    if (tagId !== NEW && !tags.some((g) => g.id === tagId)) tagId = tags[0]?.id ?? NEW;
    tagSelect.replaceChildren(
      ...tags.map((g) => h('option', { value: g.id, selected: g.id === tagId }, g.name && g.name !== g.id ? `${g.name} · ${g.id}` : g.id)),
      h('option', { value: NEW, selected: tagId === NEW }, t.newTag));
  }

  function loadTag() {
    newFields.hidden = tagId !== NEW;
    const tag = (ctx.getCatalog().tags ?? []).find((g) => g.id === tagId);
    setTree(tag?.when ?? null);
    dirty = false;
    draftNotice.hidden = true;
    sync('load');
  }

  // ---- the draft: edits not applied yet are kept in this browser (ctx.store)
  // and come back after a reload; leaving the page with them asks first.
  let draftTimer = null;
  function saveDraft() {
    clearTimeout(draftTimer);
    draftTimer = setTimeout(() => {
      const draft = { tagId, rule, newTag: tagId === NEW ? { id: newId.value, name: newName.value, dimension: newDimension.value } : null };
      ctx.store.set('draft', draft).catch(() => {});
    }, DRAFT_DELAY);
  }
  function dropDraft() {
    clearTimeout(draftTimer);
    draftNotice.hidden = true;
    ctx.store.delete('draft').catch(() => {});
  }
  async function restoreDraft() {
    const draft = await ctx.store.get('draft').catch(() => undefined);
    if (!draft || dirty) return;
    const known = draft.tagId === NEW || (ctx.getCatalog().tags ?? []).some((g) => g.id === draft.tagId);
    if (!known) return;
    tagId = draft.tagId;
    fillTagSelect();
    newFields.hidden = tagId !== NEW;
    if (draft.newTag) {
      newId.value = draft.newTag.id;
      newName.value = draft.newTag.name;
      newDimension.value = draft.newTag.dimension;
    }
    setTree(draft.rule);
    dirty = true;
    sync('draft');
    draftNotice.textContent = t.draftRestored(tagId === NEW ? draft.newTag?.id || t.newTag : tagId);
    draftNotice.hidden = false;
  }
  window.addEventListener('beforeunload', (event) => {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = ''; // older browsers need it set
  });

  tagSelect.addEventListener('change', () => { tagId = tagSelect.value; dropDraft(); loadTag(); });
  for (const box of [newId, newName, newDimension]) box.addEventListener('input', () => { updateApply(); schedulePreview(); });
  revertButton.addEventListener('click', () => { dropDraft(); loadTag(); });

  applyButton.addEventListener('click', () => {
    if (applyButton.disabled) return;
    const { catalog, id } = catalogWith(rule);
    tagId = id;
    dirty = false;
    dropDraft();
    newId.value = '';
    newName.value = '';
    ctx.setCatalog(catalog, { source: 'builder' });
    ctx.status(t.applied(id));
  });

  ctx.onCatalogChange((catalog, { source }) => {
    fillTagSelect();
    // Another tab or a loaded file replaced the catalog: show its version of
    // the tag unless there are edits here not applied yet.
    if (source !== 'builder' && !dirty) loadTag();
    else { newFields.hidden = tagId !== NEW; schedulePreview(); }
  });

  fillTagSelect();
  loadTag();
  restoreDraft();

  // For tests and devtools.
  window.__builder = {
    rule: () => rule,
    get tagId() { return tagId; },
    get problems() { return problems; },
    get coverage() { return preview ? { matched: preview.state.matched, total: preview.state.total, fresh: preview.state.fresh } : null; },
  };
}
