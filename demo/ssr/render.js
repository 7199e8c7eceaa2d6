// Markup shared by the server (server.mjs) and the browser (client.js): the
// same function renders the tag badges and the tag-targeted banner on both
// sides, so equal tags give byte-identical markup.

const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value, escaped for HTML. */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** { id: name } of a catalog's tags. */
export function tagNames(catalog) {
  return Object.fromEntries((catalog.tags ?? []).map((t) => [t.id, t.name ?? t.id]));
}

function label(name, value) {
  if (value === true) return name;
  return `${name} · ${typeof value === 'string' ? value : JSON.stringify(value)}`;
}

/** The badges (<li> items) of a tag list [[id, value], ...]. */
export function badgesHtml(tags, names) {
  if (tags.length === 0) return '<li class="badge badge-none">暂无标签</li>';
  return tags.map(([id, value]) => `<li class="badge" data-tag="${escapeHtml(id)}">${escapeHtml(label(names[id] ?? id, value))}</li>`).join('');
}

// The banner a visitor sees: the first entry whose tag they hold.
const BANNERS = [
  ['refund_risk', '订单需人工审核后发货，感谢理解'],
  ['dormant', '好久不见！送你一张 15 元回归券'],
  ['cart_waiting', '购物车里的茶还在等你：今天下单包邮'],
  ['new_visitor', '新人首单立减 20 元'],
  ['puer_fan', '普洱爱好者专享：2019 老班章 9 折'],
  ['repeat_buyer', '老顾客回购享双倍积分'],
];
const DEFAULT_BANNER = '全场满 199 元包邮';

/** The banner's inner HTML for a tag list. */
export function bannerHtml(tags) {
  const held = new Set(tags.map(([id]) => id));
  const hit = BANNERS.find(([id]) => held.has(id));
  return hit === undefined
    ? `<span data-banner="default">${escapeHtml(DEFAULT_BANNER)}</span>`
    : `<span data-banner="${escapeHtml(hit[0])}">${escapeHtml(hit[1])}</span>`;
}

/** Same tags with the same values (order does not matter). */
export function sameTags(a, b) {
  if (a.length !== b.length) return false;
  const values = new Map(a.map(([id, value]) => [id, JSON.stringify(value)]));
  return b.every(([id, value]) => values.has(id) && values.get(id) === JSON.stringify(value));
}
