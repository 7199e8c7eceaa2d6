// Server-side HTML of the storefront's pages. The panels that change live
// (tags, recommendations) come from public/render.js, which the browser uses
// too; the rest is static markup that app.js wires up.
import { embedState } from 'tagwise';
import { escapeHtml, page } from '../lib/html.mjs';
import { preloadTags } from '../lib/preload.mjs';
import { categoryName, productName, text } from './public/i18n.js';
import { price, productCardHtml, recsHtml, tagsListHtml } from './public/render.js';

function header(lang) {
  const t = text(lang);
  return `<a class="skip-link" href="#main">${escapeHtml(t.skip)}</a>
<header class="site-header">
  <a class="brand" href="/">${escapeHtml(t.brand)}</a>
  <nav aria-label="${lang === 'en' ? 'Main' : '主导航'}">
    <a href="/">${escapeHtml(t.nav_home)}</a>
    <a href="/cart">${escapeHtml(t.nav_cart)} <span id="cart-count" class="count">0</span></a>
    <a href="/privacy">${escapeHtml(t.nav_privacy)}</a>
    <a href="/console">${escapeHtml(t.nav_console)}</a>
  </nav>
  <span class="spacer"></span>
  <button type="button" data-lang-toggle lang="${lang === 'en' ? 'zh-CN' : 'en'}">${escapeHtml(t.lang_toggle)}</button>
</header>`;
}

function sidePanels(lang, state, meta) {
  const t = text(lang);
  return `<aside class="side">
  <section id="tags-panel" class="panel" aria-labelledby="tags-h">
    <h2 id="tags-h">${escapeHtml(t.tags_title)}</h2>
    <p class="muted small tags-hint">${escapeHtml(t.tags_hint)}</p>
    <ul id="tag-list" class="tag-list" aria-live="polite">${tagsListHtml(state.tags, meta, lang)}</ul>
    <p id="tags-consent" class="muted small"${state.purposes.includes('personalization') ? ' hidden' : ''}>${escapeHtml(t.tags_consent_off)}</p>
    <p id="ssr-status" class="muted small"></p>
  </section>
  <section id="offers-panel" class="panel" aria-labelledby="offers-h">
    <h2 id="offers-h">${escapeHtml(t.offers_title)}</h2>
    <div id="offers" aria-live="polite"><p class="muted">${escapeHtml(t.loading)}</p></div>
  </section>
</aside>`;
}

function consentBanner(lang) {
  const t = text(lang);
  return `<div id="consent-banner" class="consent-banner" role="dialog" aria-labelledby="consent-h" aria-describedby="consent-p" hidden>
  <h2 id="consent-h">${escapeHtml(t.consent_title)}</h2>
  <p id="consent-p">${escapeHtml(t.consent_text)}</p>
  <div class="actions">
    <button type="button" class="primary" data-consent="all">${escapeHtml(t.consent_accept)}</button>
    <button type="button" data-consent="necessary">${escapeHtml(t.consent_necessary)}</button>
    <a class="button-link" href="/privacy" data-consent="customise">${escapeHtml(t.consent_customise)}</a>
  </div>
</div>`;
}

function recsSection(lang, recs, products, item) {
  const t = text(lang);
  return `<section id="recs-panel" class="recs" aria-labelledby="recs-h">
  <h2 id="recs-h">${escapeHtml(item ? t.recs_title_item : t.recs_title)}</h2>
  <ol id="recs" class="rec-list" aria-live="polite">${recsHtml(recs, lang, products)}</ol>
</section>`;
}

/**
 * A full page: header, the page's main content, the tags and offers panels,
 * the consent banner, the embedded tagwise state and the page's config.
 */
export function shopPage({ lang, title, main, state, meta, config }) {
  const t = text(lang);
  return page({
    lang,
    title: `${title} · ${t.brand}`,
    head: `<link rel="stylesheet" href="/shop/shop.css">
${preloadTags('/shop/app.js', ['/shop/catalog.json', '/shop/offers.json', '/data/shop.twh', '/data/products.json'], 'features')}`,
    bodyClass: 'shop',
    body: `${header(lang)}
${consentBanner(lang)}
<div class="shop-layout">
  <main id="main" tabindex="-1">${main}</main>
  ${sidePanels(lang, state, meta)}
</div>
<p id="shop-error" class="error shop-error" role="alert" hidden></p>
${embedState(state)}
${embedState(config, { id: 'shop-config' })}`,
    scripts: ['/assets/lang.js', '/shop/app.js'],
  });
}

export function homeMain(lang, products, byId, recs) {
  const t = text(lang);
  const digital = products.filter((p) => p.digital);
  const physical = products.filter((p) => !p.digital);
  return `<p id="hero" class="hero" aria-live="polite"></p>
<section aria-labelledby="digital-h">
  <h2 id="digital-h">${escapeHtml(t.digital_row)}</h2>
  <ul class="cards digital-row">${digital.map((p) => productCardHtml(p, lang)).join('')}</ul>
</section>
${recsSection(lang, recs, byId, null)}
<section aria-labelledby="physical-h">
  <h2 id="physical-h">${escapeHtml(t.physical_row)}</h2>
  <ul class="cards">${physical.map((p) => productCardHtml(p, lang)).join('')}</ul>
</section>
<p id="experiment" class="muted small"></p>`;
}

export function productMain(lang, product, byId, recs) {
  const t = text(lang);
  return `<p><a href="/">${escapeHtml(t.back)}</a></p>
<article class="product" data-item="${escapeHtml(product.item)}">
  <h1>${escapeHtml(productName(product, lang))}</h1>
  <p class="muted">${escapeHtml(t.category)}: ${escapeHtml(categoryName(product.category, lang))}${product.digital ? ` · ${escapeHtml(t.digital_badge)}` : ''}
    ${product.buyers > 0 ? ` · ${escapeHtml(t.buyers(product.buyers))}` : ''}</p>
  <p class="product-price">${escapeHtml(price(product.price))}</p>
  <p><button type="button" class="primary add" id="add-to-cart" data-add="${escapeHtml(product.item)}">${escapeHtml(t.add_to_cart)}</button>
    <span id="add-status" class="muted" role="status"></span></p>
</article>
${recsSection(lang, recs, byId, product.item)}`;
}

export function cartMain(lang, byId, recs) {
  const t = text(lang);
  return `<h1>${escapeHtml(t.cart_title)}</h1>
<div id="cart" aria-live="polite"><p class="muted">${escapeHtml(t.loading)}</p></div>
<p id="order-result" class="order-result" role="status" hidden></p>
${recsSection(lang, recs, byId, null)}`;
}

export function privacyMain(lang) {
  const t = text(lang);
  const rows = Object.entries(t.purpose).map(([id, [name, what]]) => `<li>
    <label><input type="checkbox" name="purpose" value="${id}"${id === 'necessary' ? ' checked disabled' : ''}>
      <strong>${escapeHtml(name)}</strong> <span class="muted">— ${escapeHtml(what)}</span></label></li>`).join('');
  return `<h1>${escapeHtml(t.privacy_title)}</h1>
<p>${escapeHtml(t.privacy_intro)}</p>
<form id="consent-form">
  <fieldset><legend>${escapeHtml(t.nav_privacy)}</legend><ul class="purposes">${rows}</ul></fieldset>
  <p><button type="submit" class="primary">${escapeHtml(t.save)}</button> <span id="consent-status" role="status" class="muted"></span></p>
</form>
<section aria-labelledby="export-h">
  <h2 id="export-h">${escapeHtml(t.export_title)}</h2>
  <p><button type="button" id="export-show">${escapeHtml(t.export_show)}</button>
    <button type="button" id="export-download">${escapeHtml(t.export_download)}</button></p>
  <pre id="export-view" class="export-view" tabindex="0" hidden></pre>
</section>
<section aria-labelledby="forget-h">
  <h2 id="forget-h">${escapeHtml(t.forget_title)}</h2>
  <p>${escapeHtml(t.forget_text)}</p>
  <p><button type="button" id="forget" class="danger" aria-controls="forget-confirm">${escapeHtml(t.forget_button)}</button> <span id="forget-status" role="status"></span></p>
  <div id="forget-confirm" class="forget-confirm" role="alertdialog" aria-labelledby="forget-confirm-text" hidden>
    <p id="forget-confirm-text">${escapeHtml(t.forget_confirm)}</p>
    <p><button type="button" id="forget-yes" class="danger">${escapeHtml(t.forget_yes)}</button>
      <button type="button" id="forget-no">${escapeHtml(t.forget_no)}</button></p>
  </div>
</section>`;
}

export function notFoundMain(lang, item) {
  return `<h1>${lang === 'en' ? 'No such product' : '没有这个商品'}</h1><p>${escapeHtml(item)}</p><p><a href="/">${escapeHtml(text(lang).back)}</a></p>`;
}
