// The cart (kept in localStorage: it is needed to buy, so it is "necessary"
// data, not profiling) and the checkout, which records order_paid and one
// purchase per line, redeems the applied offer and converts the experiment.
import { productName } from './i18n.js';
import { escapeHtml, price } from './render.js';

const KEY = 'shop.cart';
export const SELECTED_OFFER = 'shop.offer';

export function load() {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(list) ? list.filter((l) => typeof l?.item === 'string' && Number.isInteger(l.qty) && l.qty > 0) : [];
  } catch {
    return [];
  }
}

function save(list) {
  localStorage.setItem(KEY, JSON.stringify(list));
}

/** Item ids in the cart (the recommendation context). */
export function ids() {
  return load().map((l) => l.item);
}

export function count() {
  return load().reduce((n, l) => n + l.qty, 0);
}

export function add(item) {
  const list = load();
  const line = list.find((l) => l.item === item);
  if (line) line.qty += 1;
  else list.push({ item, qty: 1 });
  save(list);
}

export function setQty(item, qty) {
  save(load().map((l) => (l.item === item ? { ...l, qty } : l)).filter((l) => l.qty > 0));
}

export function clear() {
  localStorage.removeItem(KEY);
}

const round2 = (x) => Math.round(x * 100) / 100;

/** What an eligible offer takes off these cart lines (0 when it does not apply). */
function discountOf(offer, lines) {
  const p = offer.payload ?? {};
  const subtotal = lines.reduce((s, l) => s + l.product.price * l.qty, 0);
  if (p.kind === 'amount') return Math.min(p.off ?? 0, subtotal);
  if (p.kind === 'percent') {
    const base = lines.filter((l) => !p.category || l.product.category === p.category)
      .reduce((s, l) => s + l.product.price * l.qty, 0);
    return round2((base * (p.off ?? 0)) / 100);
  }
  return 0;
}

// Caps limit how often an offer is shown; they never take away at checkout
// an offer the shopper may use (the hero banner's 新人券 after a few page views).
const IMPRESSION_CAPS = new Set(['cap_day', 'cap_week', 'cap_total', 'daily_cap']);

/**
 * The offer applied at checkout: the one the visitor chose (if it still
 * applies), else the usable offer taking the most off. Usable: eligible, or
 * held back only by impression caps.
 */
function appliedOffer(shop, lines) {
  if (!shop.tw.consent.get().marketing) return null;
  const list = shop.tw.offers.eligible();
  const capped = list.ineligible.filter((o) => o.reasons.length > 0 && o.reasons.every((r) => IMPRESSION_CAPS.has(r)));
  const usable = [...list, ...capped.map((o) => ({ ...o, payload: shop.offerDefinitions.get(o.id)?.payload }))];
  const chosen = sessionStorage.getItem(SELECTED_OFFER);
  const options = usable.map((o) => ({ offer: o, off: discountOf(o, lines) })).filter((x) => x.off > 0);
  return options.find((x) => x.offer.id === chosen) ?? options.sort((a, b) => b.off - a.off)[0] ?? null;
}

function linesOf(shop) {
  return load().map((l) => ({ ...l, product: shop.products[l.item] })).filter((l) => l.product !== undefined);
}

/** Renders the cart page's list, totals and pay button. */
export function renderCart(shop) {
  const el = document.getElementById('cart');
  if (el === null) return;
  const { t, lang } = shop;
  const lines = linesOf(shop);
  if (lines.length === 0) {
    el.innerHTML = `<p class="muted">${escapeHtml(t.cart_empty)}</p>`;
    return;
  }
  const subtotal = round2(lines.reduce((s, l) => s + l.product.price * l.qty, 0));
  let applied = null;
  try {
    applied = appliedOffer(shop, lines);
  } catch (e) {
    shop.showError(e);
  }
  const off = applied ? applied.off : 0;
  const rows = lines.map((l) => `<li class="cart-line" data-item="${escapeHtml(l.item)}">
    <a href="/product/${encodeURIComponent(l.item)}">${escapeHtml(productName(l.product, lang))}</a>
    <span>${escapeHtml(price(l.product.price))} × ${l.qty}</span>
    <button type="button" data-qty="${escapeHtml(l.item)}" data-delta="1" aria-label="+1 ${escapeHtml(productName(l.product, lang))}">+</button>
    <button type="button" data-qty="${escapeHtml(l.item)}" data-delta="-1" aria-label="-1 ${escapeHtml(productName(l.product, lang))}">−</button>
    <button type="button" data-remove="${escapeHtml(l.item)}">${escapeHtml(t.cart_remove)}</button></li>`).join('');
  const offerName = applied ? shop.offerName(applied.offer) : '';
  el.innerHTML = `<ul class="cart-lines">${rows}</ul>
<dl class="totals">
  <dt>${escapeHtml(t.subtotal)}</dt><dd>${escapeHtml(price(subtotal))}</dd>
  ${applied ? `<dt>${escapeHtml(t.discount)}</dt><dd id="cart-discount" data-offer="${escapeHtml(applied.offer.id)}">−${escapeHtml(price(off))} (${escapeHtml(offerName)})</dd>` : ''}
  <dt>${escapeHtml(t.total)}</dt><dd id="cart-total">${escapeHtml(price(Math.max(0, subtotal - off)))}</dd>
</dl>
<p><button type="button" class="primary" id="checkout">${escapeHtml(t.checkout)}</button></p>`;
}

/** Pays the cart: order_paid + purchases, offer redeemed, experiment converted. */
export function checkout(shop) {
  const { tw, t } = shop;
  const lines = linesOf(shop);
  if (lines.length === 0) return null;
  const subtotal = lines.reduce((s, l) => s + l.product.price * l.qty, 0);
  const applied = appliedOffer(shop, lines);
  const amount = round2(Math.max(0, subtotal - (applied ? applied.off : 0)));
  const order = `o-${crypto.randomUUID().slice(0, 8)}`;
  const events = [
    { id: `${order}-paid`, type: 'order_paid', props: { order, amount, items: lines.map((l) => l.item), count: lines.reduce((n, l) => n + l.qty, 0) } },
    ...lines.map((l) => ({
      id: `${order}-${l.item}`, type: 'purchase',
      props: { item: l.item, category: l.product.category, price: l.product.price, qty: l.qty, digital: l.product.digital, order },
    })),
  ];
  clear();
  sessionStorage.removeItem(SELECTED_OFFER);
  const tracked = shop.track(events);
  const redeemed = applied ? tw.offers.record(applied.offer.id, 'redeemed') : null;
  const conversion = tw.experiments.convert('hero-banner', { metric: 'order_paid', value: amount, id: order });
  const result = { order, amount, offer: applied?.offer.id ?? null, redeemed: redeemed?.recorded ?? false, conversion, tracked };
  const out = document.getElementById('order-result');
  if (out) {
    out.hidden = false;
    out.textContent = t.paid(order, amount.toFixed(2));
  }
  return result;
}
