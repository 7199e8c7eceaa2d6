// Markup shared by the server (routes.mjs, SSR) and the browser (app.js): the
// same functions render the tags panel, the recommendations and the product
// cards on both sides, so equal inputs give identical HTML and the browser
// has no reason to touch what the server rendered (no flash).
import { categoryName, productName, reasonText, tagName, text } from './i18n.js';

const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** { id: { name, dimension, purpose } } of a catalog's tags. */
export function tagMeta(catalog) {
  return Object.fromEntries((catalog.tags ?? []).map((t) => [t.id, {
    name: t.name ?? t.id, dimension: t.dimension ?? '', purpose: t.purpose ?? 'personalization',
  }]));
}

export function price(amount) {
  return `£${Number(amount).toFixed(2)}`;
}

/** A tag value for people: nothing for `true`, numbers rounded, the rest as JSON. */
export function valueText(value) {
  if (value === true) return '';
  if (typeof value === 'number') return String(Math.round(value * 100) / 100);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/**
 * The tags panel's list (<li> items) for [[id, value], ...] in catalog order.
 * Each tag has a "why?" button; its explanation is filled in by the browser.
 */
export function tagsListHtml(pairs, meta, lang) {
  const t = text(lang);
  if (pairs.length === 0) return `<li class="tag tag-none">${escapeHtml(t.tags_none)}</li>`;
  return pairs.map(([id, value]) => {
    const m = meta[id] ?? { dimension: '' };
    const v = valueText(value);
    const dim = t.dimension[m.dimension] ?? m.dimension;
    return `<li class="tag" data-tag="${escapeHtml(id)}">`
      + `<span class="tag-name">${escapeHtml(tagName(id, meta, lang))}</span>`
      + (v === '' ? '' : ` <span class="tag-value">${escapeHtml(v)}</span>`)
      + ` <span class="tag-dim dim-${escapeHtml(m.dimension)}">${escapeHtml(dim)}</span>`
      + ` <button type="button" class="why" data-why="${escapeHtml(id)}" aria-expanded="false" aria-controls="why-${escapeHtml(id)}">${escapeHtml(t.why)}</button>`
      + `<div class="why-body" id="why-${escapeHtml(id)}" hidden></div></li>`;
  }).join('');
}

/** The recommendations list (<li> items); `products` maps item → product for names. */
export function recsHtml(recs, lang, products) {
  const t = text(lang);
  if (recs.length === 0) return `<li class="rec rec-none">${escapeHtml(t.recs_none)}</li>`;
  const names = (item) => productName(products[item], lang) || item;
  return recs.map((r) => {
    const p = products[r.item] ?? { item: r.item, name: r.name ?? r.item, category: r.category, price: r.price };
    const reasons = r.reasons.map((reason) => `<li data-reason="${escapeHtml(reason.code)}">${escapeHtml(reasonText(reason, lang, names))}</li>`).join('');
    return `<li class="rec" data-item="${escapeHtml(r.item)}">`
      + `<a href="/product/${encodeURIComponent(r.item)}">${escapeHtml(names(r.item))}</a>`
      + ` <span class="muted">${escapeHtml(categoryName(p.category, lang))} · ${escapeHtml(price(p.price ?? 0))}</span>`
      + `<ul class="reasons">${reasons}</ul></li>`;
  }).join('');
}

/** A product card of the list page. */
export function productCardHtml(p, lang) {
  const t = text(lang);
  return `<li class="card${p.digital ? ' digital' : ''}" data-item="${escapeHtml(p.item)}">`
    + `<a class="card-link" href="/product/${encodeURIComponent(p.item)}">${escapeHtml(productName(p, lang))}</a>`
    + `<span class="card-meta">${escapeHtml(categoryName(p.category, lang))}${p.digital ? ` · ${escapeHtml(t.digital_badge)}` : ''}</span>`
    + `<span class="card-price">${escapeHtml(price(p.price))}</span>`
    + `<button type="button" class="add" data-add="${escapeHtml(p.item)}">${escapeHtml(t.add_to_cart)}</button></li>`;
}

/** Same tags with the same values (order does not matter). */
export function sameTags(a, b) {
  if (a.length !== b.length) return false;
  const values = new Map(a.map(([id, value]) => [id, JSON.stringify(value)]));
  return b.every(([id, value]) => values.has(id) && values.get(id) === JSON.stringify(value));
}

/** The recommendation options both sides use for a page: same options, same list. */
export function recommendOptions({ item, cart }) {
  const context = {};
  if (item) context.item = item;
  if (cart && cart.length > 0) context.cart = cart;
  // The region list for visitors without history is the shop's market (not
  // personal data, so it also holds with personalisation off), the same in
  // either UI language: switching the language never changes the goods.
  return { k: 6, context, segments: { country: SHOP_MARKET } };
}

/** The country the shop sells to (its best-seller list is the cold-start fallback). */
export const SHOP_MARKET = 'China';
