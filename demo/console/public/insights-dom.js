// Tiny DOM helpers for the catalog-health and A/B views: build elements from
// plain data (no innerHTML, so catalog text can never become markup) and
// format numbers the same way in every table.

/**
 * h('td', { class: 'num', dataset: { tag: 'x' } }, 'text', child) → element.
 * Attribute values false/null/undefined are left out; `on` maps events to handlers.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === 'text') el.textContent = v;
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** 0.0833 → "8.3%"; null/undefined → "—". */
export function pct(x, digits = 1) {
  return typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : '—';
}

/** p-values and probabilities: 3 significant digits, tiny values as "<0.001". */
export function num(x) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '—';
  if (x !== 0 && Math.abs(x) < 0.001) return '<0.001';
  return x.toFixed(3);
}

/** A table in a horizontally scrolling wrapper, so wide tables never widen a 375 px page. */
export function scrollTable(table, label) {
  return h('div', { class: 'insights-scroll', role: 'region', 'aria-label': label, tabindex: '0' }, table);
}
