// The storefront's browser half, using the npm package exactly as a shop's
// page would: ESM import of "tagwise", the WASM engine loaded in the page,
// the visitor's state in IndexedDB. It hydrates from the state the server
// embedded (and leaves the server's markup alone when the tags agree), then
// keeps the tags panel, recommendations and offers live as the visitor
// browses, adds to cart and pays.
//
// window.__shop (for tests and the curious): { ready, ssr: { hydrated,
// changed, recsChanged, mismatches, errors, warnings }, tags, recs, offers,
// experiment, sync, renders, errors, lastOrder }.
import { createTagwise, readEmbeddedState } from 'tagwise';
import * as cart from './cart.js';
import { explainHtml } from './explain.js';
import { OFFER_NAMES_EN, text } from './i18n.js';
import { renderOffers, useOffer } from './offers-panel.js';
import { setupConsentBanner, setupPrivacyPage } from './privacy.js';
import { recommendOptions, recsHtml, sameTags, tagMeta, tagsListHtml } from './render.js';
import { createSync } from './sync.js';

const report = {
  ready: false,
  ssr: { hydrated: false, changed: false, recsChanged: false, mismatches: [], errors: [], warnings: [] },
  tags: [], recs: [], offers: [], experiment: null, renders: { tags: 0, recs: 0 }, errors: [], diagnostics: [], lastOrder: null,
};
window.__shop = report;

const config = readEmbeddedState('shop-config') ?? { lang: 'zh', page: '', products: '/data/products.json' };
const lang = config.lang === 'en' ? 'en' : 'zh';
// Lines for developers (server-render agreement, the experiment's variant)
// are shown with ?debug=1 only; shoppers do not see them.
const debug = new URLSearchParams(location.search).has('debug');
const t = text(lang);

/** Errors are shown as text (with the TagwiseError code and path when there is one), never swallowed. */
function showError(e) {
  const where = e?.code ? `${e.code}${e.path ? ` at ${e.path}` : ''}: ` : '';
  const message = `${t.error}${where}${e?.message ?? e}`;
  report.errors.push(message);
  const el = document.getElementById('shop-error');
  if (el) {
    el.hidden = false;
    el.textContent = message;
  }
  console.error(e);
}

async function fetchOk(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res;
}

const pairsOf = (tags) => tags.map((tag) => [tag.id, tag.value]);
const recsKey = (recs) => JSON.stringify(recs.map((r) => [r.item, r.reasons]));

async function main() {
  const [catalog, offers, hints, productList] = await Promise.all([
    fetchOk('/shop/catalog.json').then((r) => r.json()),
    fetchOk('/shop/offers.json').then((r) => r.json()),
    fetchOk('/data/shop.twh').then((r) => r.arrayBuffer()),
    fetchOk(config.products ?? '/data/products.json').then((r) => r.json()),
  ]);
  const meta = tagMeta(catalog);
  const products = Object.fromEntries(productList.map((p) => [p.item, p]));

  const tw = await createTagwise({
    storage: 'indexedDB',
    // The shop renders offers and recommendations at once: fetch the full
    // module up front rather than the page runtime and then the rest.
    features: ['offers', 'recommend', 'experiments'],
    catalog,
    onError: (d) => {
      report.diagnostics.push({ code: d.code, message: d.message });
      console.warn(`tagwise: ${d.code}: ${d.message}`);
    },
  });
  window.__tagwise = tw;
  tw.loadHints(hints);
  tw.offers.load(offers);

  const shop = {
    tw, t, lang, config, catalog, meta, products, report, showError,
    offerDefinitions: new Map(offers.offers.map((o) => [o.id, o])),
    offerName: (o) => (lang === 'en' ? OFFER_NAMES_EN[o.id] ?? o.name : o.name),
  };

  // ---- the SSR hand-off: start from the server's state, compare, re-render only on difference
  const state = readEmbeddedState();
  if (state !== null) {
    const r = tw.hydrate(state);
    Object.assign(report.ssr, { hydrated: r.ok, mismatches: r.mismatches, errors: r.errors, warnings: r.warnings });
    if (!r.ok) showError(Object.assign(new Error(r.errors.map((e) => e.message).join('; ')), r.errors[0]));
  }
  // The profile is this visitor's (experiments hash the user id).
  const profile = tw.getProfile();
  if (config.visitor && profile.user_id !== config.visitor) tw.setProfile({ ...profile, user_id: config.visitor });
  // The server recorded this page's view in the state; tracking the same
  // event (same id) is then a no-op. When it could not (it did not know the
  // visitor's consent yet) this records it.
  if (config.pageView) tw.track(config.pageView);

  const sync = createSync({ tw, cart, report, showError });
  shop.sync = sync;

  const tagList = document.getElementById('tag-list');
  const recList = document.getElementById('recs');
  const ssrStatus = document.getElementById('ssr-status');

  function renderTags() {
    const open = [...tagList.querySelectorAll('button.why[aria-expanded="true"]')].map((b) => b.dataset.why);
    tagList.innerHTML = tagsListHtml(report.tags, meta, lang);
    report.renders.tags += 1;
    for (const id of open) toggleWhy(tagList.querySelector(`button.why[data-why="${CSS.escape(id)}"]`));
  }

  function computeRecs() {
    try {
      return tw.recommend(recommendOptions({ item: config.item, cart: cart.ids() }));
    } catch (e) {
      showError(e);
      return [];
    }
  }

  function renderRecs(recs) {
    report.recs = recs.map((r) => ({ item: r.item, reasons: r.reasons }));
    if (recList === null) return;
    recList.innerHTML = recsHtml(recs, lang, products);
    report.renders.recs += 1;
  }

  function renderExperiment() {
    const hero = document.getElementById('hero');
    try {
      const r = tw.experiments.run({ key: 'hero-banner', variations: ['A', 'B'] });
      report.experiment = { key: 'hero-banner', value: r.value, inExperiment: r.inExperiment, reason: r.reason };
      if (hero) {
        hero.textContent = t.hero[r.value];
        hero.dataset.variation = r.value;
        if (debug) document.getElementById('experiment').textContent = t.experiment('hero-banner', r.value, r.reason);
      }
    } catch (e) {
      showError(e);
    }
  }

  function renderCartCount() {
    document.getElementById('cart-count').textContent = String(cart.count());
  }

  /** After anything that can change tags, recommendations or offers. */
  function refresh() {
    document.getElementById('tags-consent').hidden = tw.consent.get().personalization;
    const tags = pairsOf(tw.tags());
    if (!sameTags(tags, report.tags)) {
      report.tags = tags;
      renderTags();
    }
    const recs = computeRecs();
    if (recsKey(recs) !== recsKey(report.recs)) renderRecs(recs);
    renderOffers(shop);
    cart.renderCart(shop);
    renderCartCount();
  }

  shop.track = (events) => {
    const r = tw.trackMany(events);
    for (const e of r.errors) showError(e);
    refresh();
    sync.schedule();
    return { added: r.added, withheld: r.withheld, changes: r.changes };
  };

  // Compare with what the server rendered: touch the markup only on difference.
  report.tags = pairsOf(tw.tags());
  if (state !== null && !sameTags(state.tags, report.tags)) {
    renderTags();
    report.ssr.changed = true;
    if (debug) ssrStatus.textContent = t.ssr_changed(Math.max(1, report.ssr.mismatches.length));
  } else if (state !== null && debug) {
    ssrStatus.textContent = t.ssr_same;
  }
  // The browser's own tags are live from here (the server's are in the HTML
  // from the first paint): tools/demo_capture.mjs measures the first load to this mark.
  performance.mark('tagwise:first-tags');
  const recs = computeRecs();
  report.recs = recs.map((r) => ({ item: r.item, reasons: r.reasons }));
  if (recList !== null && recsKey(recs) !== recsKey(config.recs ?? [])) {
    renderRecs(recs);
    report.ssr.recsChanged = true;
  }
  document.getElementById('tags-consent').hidden = tw.consent.get().personalization;
  renderOffers(shop);
  renderExperiment();
  cart.renderCart(shop);
  renderCartCount();

  // ---- live from here on
  tw.onTagsChanged(() => {
    report.tags = pairsOf(tw.tags());
    renderTags();
  });
  tw.consent.onChange(() => {
    refresh();
    renderExperiment();
    sync.now();
  });

  async function toggleWhy(button) {
    if (!button) return;
    const body = document.getElementById(button.getAttribute('aria-controls'));
    const opening = button.getAttribute('aria-expanded') !== 'true';
    if (opening) {
      try {
        await tw.ready('explain'); // fetched on the first "why?", not with the page
        body.innerHTML = explainHtml(tw, button.dataset.why, meta, lang);
      } catch (e) {
        body.textContent = `${t.error}${e.code ?? ''} ${e.message}`;
      }
    }
    body.hidden = !opening;
    button.setAttribute('aria-expanded', String(opening));
    button.textContent = opening ? t.why_hide : t.why;
  }
  tagList.addEventListener('click', (event) => toggleWhy(event.target.closest('button.why')));

  document.addEventListener('click', (event) => {
    const add = event.target.closest('[data-add]');
    if (add) {
      const p = products[add.dataset.add];
      if (!p) return;
      cart.add(p.item);
      shop.track([{ id: `cart-${crypto.randomUUID()}`, type: 'cart_add', props: { item: p.item, category: p.category, price: p.price, digital: p.digital } }]);
      const status = document.getElementById('add-status');
      if (status) status.textContent = t.added;
      return;
    }
    const use = event.target.closest('[data-offer-use]');
    if (use) {
      try {
        useOffer(shop, use.dataset.offerUse);
      } catch (e) {
        showError(e);
      }
      refresh();
      return;
    }
    const qty = event.target.closest('[data-qty]');
    if (qty) {
      const line = cart.load().find((l) => l.item === qty.dataset.qty);
      if (line) cart.setQty(line.item, line.qty + Number(qty.dataset.delta));
      refresh();
      sync.schedule();
      return;
    }
    const remove = event.target.closest('[data-remove]');
    if (remove) {
      cart.setQty(remove.dataset.remove, 0);
      refresh();
      sync.schedule();
      return;
    }
    // Following a link while the server's copy is behind: send it first, so
    // the next page is rendered with this page's events (no mismatch).
    const link = event.target.closest('a[href^="/"]');
    if (link && sync.status.pending && !event.defaultPrevented && event.button === 0
      && !event.ctrlKey && !event.metaKey && !event.shiftKey && !event.altKey && !link.target) {
      event.preventDefault();
      sync.now().finally(() => location.assign(link.href));
      return;
    }
    if (event.target.closest('#checkout')) {
      try {
        report.lastOrder = cart.checkout(shop);
        refresh();
        sync.now();
      } catch (e) {
        showError(e);
      }
    }
  });

  setupConsentBanner(shop);
  if (config.page === 'privacy') setupPrivacyPage(shop);
  sync.schedule();
  report.ready = true;
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  showError(e);
  report.failed = true;
});
