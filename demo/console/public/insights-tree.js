// The catalog as a tree: tags under their parents (holding a child implies
// holding the parent), then every group with its members by priority (the
// highest wins in an exclusive group). Nested <ul> with <details>/<summary>:
// summaries are focusable and open with Enter/Space, no script needed.
// Tags with findings carry a ⚠ badge that says how many (not colour alone).
import { h } from './insights-dom.js';

function tagLabel(tag, ctx) {
  const n = ctx.findingsByTag.get(tag.id)?.length ?? 0;
  const worst = ctx.findingsByTag.get(tag.id)?.some((f) => f.severity === 'error') ? 'error' : 'warning';
  const users = ctx.coverage.get(tag.id);
  return h('span', { class: `insights-node${n ? ` insights-node-${worst}` : ''}`, dataset: { tag: tag.id } },
    h('span', { class: 'insights-node-name' }, tag.name ?? tag.id), ' ', h('code', {}, tag.id),
    users === undefined ? null : h('span', { class: 'muted' }, ` · ${ctx.t.usersShort(users)}`),
    n ? h('span', { class: `insights-badge insights-${worst}`, title: ctx.findingsByTag.get(tag.id).map((f) => f.message).join('\n') },
      `⚠ ${ctx.t.findingsOn(n)}`) : null);
}

/** One tag and (recursively) its children; `seen` stops at cycles. */
function tagItem(tag, ctx, seen) {
  seen.add(tag.id);
  const kids = (ctx.children.get(tag.id) ?? []).filter((c) => !seen.has(c.id));
  if (kids.length === 0) return h('li', {}, tagLabel(tag, ctx));
  return h('li', {},
    h('details', { open: true },
      h('summary', {}, tagLabel(tag, ctx)),
      h('ul', {}, kids.map((k) => tagItem(k, ctx, seen)))));
}

function hierarchy(tags, ctx) {
  const ids = new Set(tags.map((t) => t.id));
  const roots = tags.filter((t) => !t.parent || !ids.has(t.parent) || t.parent === t.id);
  const seen = new Set();
  const items = roots.map((r) => tagItem(r, ctx, seen));
  // Tags in a parent cycle are reachable from no root: list them so they do not vanish.
  const stranded = tags.filter((t) => !seen.has(t.id));
  if (stranded.length) {
    items.push(h('li', { class: 'insights-stranded' },
      h('details', { open: true }, h('summary', {}, `⚠ ${ctx.t.orphans}`),
        h('ul', {}, stranded.map((t) => h('li', {}, tagLabel(t, ctx), t.parent ? h('span', { class: 'muted' }, ` → ${t.parent}`) : null))))));
  }
  return h('ul', { class: 'insights-tree', id: 'tag-tree' }, items);
}

function groups(catalog, ctx) {
  const declared = catalog.groups ?? [];
  const members = new Map();
  (catalog.tags ?? []).forEach((tag, order) => {
    if (!tag.group) return;
    if (!members.has(tag.group)) members.set(tag.group, []);
    members.get(tag.group).push({ tag, order });
  });
  const all = [...declared.map((g) => ({ ...g, declared: true }))];
  for (const id of members.keys()) if (!declared.some((g) => g.id === id)) all.push({ id, declared: false });
  if (all.length === 0) return h('p', { class: 'muted' }, ctx.t.noGroups);
  return h('ul', { class: 'insights-tree', id: 'group-tree' }, all.map((g) => {
    // Exclusive groups resolve by priority (highest first), then catalog order.
    const list = (members.get(g.id) ?? []).slice().sort((a, b) => (b.tag.priority ?? 0) - (a.tag.priority ?? 0) || a.order - b.order);
    const n = ctx.findingsByTag.get(`group:${g.id}`)?.length ?? 0;
    return h('li', { dataset: { group: g.id } },
      h('details', { open: true },
        h('summary', {}, h('strong', {}, g.name ?? g.id), ' ', h('code', {}, g.id), ' · ',
          h('span', { class: g.exclusive ? 'insights-exclusive' : 'muted' }, g.exclusive ? ctx.t.exclusive : ctx.t.nonExclusive),
          g.declared ? null : h('span', { class: 'insights-badge insights-error' }, ctx.t.undeclaredGroup),
          n ? h('span', { class: 'insights-badge insights-warning' }, `⚠ ${ctx.t.findingsOn(n)}`) : null),
        h('ul', {}, list.map(({ tag }) => h('li', { dataset: { member: tag.id } },
          tagLabel(tag, ctx), h('span', { class: 'insights-priority' }, ` · ${ctx.t.priority(tag.priority ?? 0)}`))))));
  }));
}

/** Returns the section content for `catalog` with the lint report's findings and coverage marked. */
export function renderTree(catalog, report, t) {
  const tags = Array.isArray(catalog?.tags) ? catalog.tags.filter((x) => x && typeof x.id === 'string') : [];
  const children = new Map();
  for (const tag of tags) {
    if (!tag.parent || tag.parent === tag.id) continue;
    if (!children.has(tag.parent)) children.set(tag.parent, []);
    children.get(tag.parent).push(tag);
  }
  const findingsByTag = new Map();
  for (const f of report.findings) {
    // Group findings (unused_group...) point at /groups/N; file them under the group.
    const m = /^\/groups\/(\d+)/.exec(f.path);
    const key = f.tagId || (m && catalog.groups?.[Number(m[1])]?.id ? `group:${catalog.groups[Number(m[1])].id}` : null);
    if (!key) continue;
    if (!findingsByTag.has(key)) findingsByTag.set(key, []);
    findingsByTag.get(key).push(f);
  }
  const coverage = new Map(report.coverage.map((c) => [c.tagId, c.users]));
  const ctx = { t, children, findingsByTag, coverage };
  return [
    h('p', { class: 'muted' }, t.treeHelp),
    h('h4', {}, t.hierarchy), hierarchy(tags, ctx),
    h('h4', {}, t.groups), groups(catalog ?? {}, ctx),
  ];
}
