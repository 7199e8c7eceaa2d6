// The offers panel: tw.offers.eligible() with their caps; an impression is
// recorded as "shown" when at least half of the offer is on screen
// (IntersectionObserver), once per page view, so caps count what shoppers
// saw, not what a page rendered below the fold. "Use this offer" is recorded
// as "clicked"; redemption happens at checkout (cart.js), where an offer
// the shopper may use is applied whatever its impression caps say. The
// other offers are listed with why they are not available.
import { SELECTED_OFFER } from './cart.js';
import { OFFER_REASONS } from './i18n.js';
import { escapeHtml } from './render.js';

// Offers whose impression this page view has recorded.
const seenThisView = new Set();
let observer = null;

/** Records the impression of the offer in `li` once it is seen (once per page view). */
function recordWhenSeen(shop, li) {
  if (typeof IntersectionObserver !== 'function') return;
  observer ??= new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (!e.isIntersecting) continue;
      observer.unobserve(e.target);
      const id = e.target.dataset.offer;
      if (seenThisView.has(id)) continue;
      seenThisView.add(id);
      try {
        const r = shop.tw.offers.record(id, 'shown');
        if (r.recorded) shop.sync?.schedule(); // the operator's report counts it
        const caps = e.target.querySelector('.caps');
        if (r.recorded && caps !== null) {
          const shown = shop.report.offers.find((o) => o.id === id);
          if (shown) for (const c of Object.values(shown.caps)) c.used += 1;
          if (shown) caps.textContent = shop.t.offers_caps(shown.caps);
        }
      } catch (err) {
        shop.showError(err);
      }
    }
  }, { threshold: 0.5 });
  observer.observe(li);
}

export function renderOffers(shop) {
  const el = document.getElementById('offers');
  if (el === null) return;
  const { tw, t, lang, report } = shop;
  if (!tw.consent.get().marketing) {
    el.innerHTML = `<p class="muted">${escapeHtml(t.offers_off)}</p>`;
    report.offers = [];
    return;
  }
  let list;
  try {
    list = tw.offers.eligible();
  } catch (e) {
    shop.showError(e);
    return;
  }
  const offers = list.map((o) => ({ ...o, caps: structuredClone(o.caps) }));
  const selected = sessionStorage.getItem(SELECTED_OFFER);
  const items = offers.map((o) => {
    const p = o.payload ?? {};
    const isSelected = selected === o.id;
    return `<li class="offer" data-offer="${escapeHtml(o.id)}">
      <strong>${escapeHtml(shop.offerName(o))}</strong>
      <span>${escapeHtml(lang === 'en' ? p.textEn ?? '' : p.text ?? '')}</span>
      <span class="muted small caps">${escapeHtml(t.offers_caps(o.caps))}</span>
      <button type="button" data-offer-use="${escapeHtml(o.id)}" aria-pressed="${isSelected}">${escapeHtml(isSelected ? t.offers_selected : t.offers_use)}</button></li>`;
  }).join('');
  const reasons = OFFER_REASONS[lang === 'en' ? 'en' : 'zh'];
  const others = list.ineligible.map((o) => `<li data-offer="${escapeHtml(o.id)}">${escapeHtml(shop.offerName(o))}: ${escapeHtml(o.reasons.map((r) => reasons[r] ?? r).join(lang === 'en' ? ', ' : '、'))}</li>`).join('');
  el.innerHTML = (items ? `<ul class="offers">${items}</ul>` : `<p class="muted">${escapeHtml(t.offers_none)}</p>`)
    + (others ? `<details><summary>${escapeHtml(t.offers_other)}</summary><ul class="small">${others}</ul></details>` : '');
  report.offers = offers.map((o) => ({ id: o.id, caps: o.caps }));
  observer?.disconnect();
  for (const li of el.querySelectorAll('li.offer[data-offer]')) {
    if (!seenThisView.has(li.dataset.offer)) recordWhenSeen(shop, li);
  }
}

/** "Use this offer": recorded as clicked, applied at checkout. */
export function useOffer(shop, id) {
  const r = shop.tw.offers.record(id, 'clicked');
  if (r.recorded) shop.sync?.schedule();
  sessionStorage.setItem(SELECTED_OFFER, id);
  return r;
}
