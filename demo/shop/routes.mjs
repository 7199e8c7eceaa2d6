// The storefront's server half: pages rendered with the visitor's tags and
// recommendations (the SSR hand-off: the browser hydrates from the embedded
// tagwise state and leaves the markup alone when its tags agree), the shop's
// catalog and offers files, and /api/visitor where the browser keeps the
// server's copy of its profile and consent up to date.
//
//   GET  /  /product/<item>  /cart  /privacy      pages (language from the `lang` cookie)
//   GET  /shop/catalog.json  /shop/offers.json     the tag catalog and offer definitions
//   POST /api/visitor   { purposes, decided, profile, cart, offers }   the browser's sync
//   DELETE /api/visitor                            "forget me": drop the copy, new visitor id
//   GET  /api/offer-stats                          the operator's offer report (offer_stats.mjs)
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTagwise } from 'tagwise';

import { languageOf, readJsonBody, sendHtml, sendJson } from '../lib/html.mjs';
import { productName, text } from './public/i18n.js';
import { recommendOptions, tagMeta } from './public/render.js';
import { cartMain, homeMain, notFoundMain, privacyMain, productMain, shopPage } from './pages.mjs';
import {
  checkVisitorBody, DEFAULT_PURPOSES, mergeOfferLog, newVisitorId, visitorCookie, visitorIdOf, VisitorStore,
} from './visitors.mjs';
import { offerStats } from './offer_stats.mjs';

const HERE = fileURLToPath(new URL('./', import.meta.url));

export async function createShopRoutes(ctx) {
  const clock = ctx.clock ?? Date.now;
  const catalogText = await readFile(join(HERE, 'catalog.json'), 'utf8');
  const offersText = await readFile(join(HERE, 'offers.json'), 'utf8');
  const products = JSON.parse(await readFile(join(ctx.dataDir, 'products.json'), 'utf8'));
  const byId = Object.fromEntries(products.map((p) => [p.item, p]));
  const meta = tagMeta(JSON.parse(catalogText));

  // One runtime for every request: a request sets the visitor's consent and
  // profile and reads tags and recommendations synchronously, so requests
  // never interleave. storage: null -- the server keeps nothing in it.
  const tw = await createTagwise({ clock, storage: null });
  const loaded = tw.loadCatalog(catalogText);
  if (!loaded.ok) {
    throw new Error(`demo/shop/catalog.json: ${loaded.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
  }
  tw.loadHints(await readFile(join(ctx.dataDir, 'shop.twh')));
  const visitors = new VisitorStore();

  /**
   * The visitor's tagwise state at `now` (and the recommendations), with the
   * page view recorded first on a product page, so the browser hydrates a
   * profile that already counts this view (its own track of the same event is
   * then a duplicate and changes nothing).
   */
  function render(visitorId, { item = null, pageView = null } = {}) {
    const now = clock();
    const record = visitors.get(visitorId) ?? { purposes: DEFAULT_PURPOSES, decided: false, profile: {}, cart: [] };
    tw.setPurposes(record.purposes, { now });
    const r = tw.setProfile({ ...record.profile, user_id: visitorId }, { now });
    if (!r.ok) tw.setProfile({ user_id: visitorId }, { now });
    if (pageView !== null) {
      tw.track(pageView, { now });
      visitors.set(visitorId, { ...record, profile: tw.getProfile() });
    }
    const state = tw.ssrState({ now });
    const recs = tw.recommend({ ...recommendOptions({ item, cart: record.cart }), now });
    return { state, recs };
  }

  function visitorOf(req, res) {
    let id = visitorIdOf(req);
    if (id === null) {
      id = newVisitorId();
      res.setHeader('set-cookie', visitorCookie(id));
    }
    return id;
  }

  function sendPage(res, { lang, title, main, state, config, status = 200 }) {
    sendHtml(res, shopPage({ lang, title, main, state, meta, config }), status);
  }

  return async function handle(req, res, url) {
    const path = url.pathname;
    if (path === '/shop/catalog.json' || path === '/shop/offers.json') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' });
      res.end(path === '/shop/catalog.json' ? catalogText : offersText);
      return true;
    }

    if (path === '/api/visitor') {
      const id = visitorIdOf(req);
      if (id === null) {
        sendJson(res, { error: 'no visitor cookie; load a page first' }, 400);
        return true;
      }
      if (req.method === 'DELETE') {
        visitors.delete(id);
        res.setHeader('set-cookie', visitorCookie(newVisitorId()));
        sendJson(res, { deleted: true });
        return true;
      }
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST, DELETE' }).end();
        return true;
      }
      const [record, message] = checkVisitorBody(await readJsonBody(req));
      if (record === null) {
        sendJson(res, { error: message }, 400);
        return true;
      }
      // Refuse a profile tagwise cannot read, with its errors (paths included).
      const check = tw.setProfile({ ...record.profile, user_id: id }, { now: clock() });
      if (!check.ok) {
        sendJson(res, { error: 'profile refused', errors: check.errors }, 400);
        return true;
      }
      // The operator's offer report counts what the server keeps (mergeOfferLog);
      // withdrawing marketing consent drops this visitor's offer records.
      const { offers, ...rest } = record;
      const offerLog = record.purposes.includes('marketing') ? mergeOfferLog(visitors.get(id)?.offerLog, offers) : [];
      visitors.set(id, { ...rest, offerLog });
      sendJson(res, { ok: true, events: record.profile.events?.length ?? 0 });
      return true;
    }

    if (path === '/api/offer-stats') {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET' }).end();
        return true;
      }
      res.setHeader('cache-control', 'no-store');
      sendJson(res, offerStats(JSON.parse(offersText).offers, visitors.values()));
      return true;
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const lang = languageOf(req);
    const t = text(lang);
    const base = { lang, page: '', item: null, pageView: null, products: '/data/products.json' };

    if (path === '/' || path === '/index.html') {
      const visitor = visitorOf(req, res);
      const { state, recs } = render(visitor);
      sendPage(res, { lang, title: t.nav_home, main: homeMain(lang, products, byId, recs), state, config: { ...base, page: 'home', visitor, recs } });
      return true;
    }

    const m = /^\/product\/([^/]+)$/.exec(path);
    if (m) {
      const visitor = visitorOf(req, res);
      let item;
      try {
        item = decodeURIComponent(m[1]);
      } catch {
        item = m[1];
      }
      const product = byId[item];
      if (product === undefined) {
        const { state } = render(visitor);
        sendPage(res, { lang, title: '404', main: notFoundMain(lang, item), state, config: { ...base, page: '404', visitor }, status: 404 });
        return true;
      }
      const pageView = {
        id: `view-${randomUUID()}`, type: 'view', ts: clock(),
        props: { item: product.item, category: product.category, price: product.price, digital: product.digital },
      };
      const { state, recs } = render(visitor, { item, pageView });
      sendPage(res, {
        lang, title: productName(product, lang), main: productMain(lang, product, byId, recs), state,
        config: { ...base, page: 'product', item, pageView, visitor, recs },
      });
      return true;
    }

    if (path === '/cart') {
      const visitor = visitorOf(req, res);
      const { state, recs } = render(visitor);
      sendPage(res, { lang, title: t.cart_title, main: cartMain(lang, byId, recs), state, config: { ...base, page: 'cart', visitor, recs } });
      return true;
    }

    if (path === '/privacy') {
      const visitor = visitorOf(req, res);
      const { state } = render(visitor);
      sendPage(res, { lang, title: t.privacy_title, main: privacyMain(lang), state, config: { ...base, page: 'privacy', visitor } });
      return true;
    }
    return false;
  };
}
