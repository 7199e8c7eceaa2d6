// The offers panel: tw.offers.eligible() with their caps, each impression
// recorded once per browser session as "shown" (so caps count visits, not
// re-renders), "use this offer" recorded as "clicked"; redemption happens at
// checkout (cart.js). The other offers are listed with why they are not
// available.
import { SELECTED_OFFER } from './cart.js';
import { OFFER_REASONS } from './i18n.js';
import { escapeHtml } from './render.js';

const SHOWN = 'shop.offers.shown';

function shownThisSession() {
  try {
    return new Set(JSON.parse(sessionStorage.getItem(SHOWN) ?? '[]'));
  } catch {
    return new Set();
  }
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
  const shown = shownThisSession();
  const offers = list.map((o) => {
    const caps = structuredClone(o.caps);
    if (!shown.has(o.id)) {
      const r = tw.offers.record(o.id, 'shown');
      if (r.recorded) {
        shown.add(o.id);
        for (const c of Object.values(caps)) c.used += 1;
      }
    }
    return { ...o, caps };
  });
  sessionStorage.setItem(SHOWN, JSON.stringify([...shown]));
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
}

/** "Use this offer": recorded as clicked, applied at checkout. */
export function useOffer(shop, id) {
  const r = shop.tw.offers.record(id, 'clicked');
  sessionStorage.setItem(SELECTED_OFFER, id);
  return r;
}
