// The lint findings as a table whose columns sort (header buttons with
// aria-sort), and the conflicts — findings that mean two parts of the catalog
// contradict each other — pulled out above it so they are not lost among
// coverage warnings.
import { h, scrollTable } from './insights-dom.js';

/** Codes that describe contradictions in the catalog rather than gaps or coverage. */
export const CONFLICT_CODES = new Set([
  'cycle', 'self_parent', 'duplicate_id', 'same_priority_exclusive', 'exclusive_ancestor', 'never_holds', 'always_holds',
]);

const SEVERITY_ORDER = { error: 0, warning: 1 };

function compare(key) {
  if (key === 'severity') return (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity];
  return (a, b) => String(a[key]).localeCompare(String(b[key]));
}

function severityBadge(f, t) {
  return h('span', { class: `insights-badge insights-${f.severity}` }, f.severity === 'error' ? t.error : t.warning);
}

/** Conflicts as a short highlighted list. */
export function renderConflicts(findings, t) {
  const conflicts = findings.filter((f) => CONFLICT_CODES.has(f.code));
  if (conflicts.length === 0) return h('p', { class: 'muted', id: 'hygiene-no-conflicts' }, t.noConflicts);
  return h('ul', { class: 'insights-conflicts', id: 'hygiene-conflicts' },
    conflicts.map((f) => h('li', { dataset: { code: f.code, tag: f.tagId } },
      severityBadge(f, t), ' ', h('code', {}, f.code), f.tagId ? [' · ', h('code', {}, f.tagId)] : null, ' — ', f.message)));
}

/** The sortable table of every finding (stable sort: equal keys keep the core's order). */
export function renderFindingsTable(findings, t) {
  if (findings.length === 0) return h('p', { class: 'muted' }, t.noFindings);
  const columns = [
    ['severity', t.colSeverity], ['code', t.colCode], ['tagId', t.colTag], ['path', t.colPath], ['message', t.colMessage],
  ];
  let sort = { key: 'severity', dir: 1 };
  const tbody = h('tbody');
  const headers = columns.map(([key, label]) => {
    const button = h('button', { type: 'button', class: 'insights-sort', 'aria-label': t.sortBy(label) }, label);
    const th = h('th', { scope: 'col', 'aria-sort': key === sort.key ? 'ascending' : 'none' }, button);
    button.addEventListener('click', () => {
      sort = { key, dir: sort.key === key ? -sort.dir : 1 };
      for (const other of headers) other.setAttribute('aria-sort', 'none');
      th.setAttribute('aria-sort', sort.dir === 1 ? 'ascending' : 'descending');
      fill();
    });
    return th;
  });
  const fill = () => {
    const cmp = compare(sort.key);
    const rows = findings.map((f, i) => [f, i]).sort(([a, i], [b, j]) => sort.dir * cmp(a, b) || i - j);
    tbody.replaceChildren(...rows.map(([f]) => h('tr', { class: CONFLICT_CODES.has(f.code) ? 'insights-conflict-row' : null, dataset: { code: f.code, tag: f.tagId } },
      h('td', {}, severityBadge(f, t)), h('td', {}, h('code', {}, f.code)), h('td', {}, h('code', {}, f.tagId)),
      h('td', {}, h('code', { class: 'insights-path' }, f.path)), h('td', { class: 'insights-message' }, f.message))));
  };
  fill();
  return scrollTable(h('table', { class: 'insights-table', id: 'hygiene-findings' }, h('thead', {}, h('tr', {}, headers)), tbody), t.findings);
}
