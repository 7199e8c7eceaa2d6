// The demo storefront (demo/shop/) in headless Chromium: real clicks through
// browsing, cart, checkout, consent and the SSR hand-off. The server runs
// in-process with a fixed clock and every page's Date is fixed to the same
// instant (page.clock), so the server and the browser evaluate tags at the
// same time. Each test is a new visitor (its own browser profile).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { createDemoServer } from '../../demo/server.mjs';
import { launchBrowser } from '../browser/support.mjs';

const FIXED = Date.UTC(2026, 10, 23, 12, 0, 0);
const GAME_CARDS = ['D-STEAM-10', 'D-GENSHIN-MOON', 'D-HONOR-600'];

let server;
let browser;

before(async () => {
  server = await createDemoServer({ port: 0, clock: () => FIXED });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * A new visitor: the browser's cookies, IndexedDB and Web Storage for the
 * shop's origin are wiped first (one Chromium for the whole file: starting
 * one is the slowest step). Every page's Date is fixed at FIXED.
 */
async function visitor(fn) {
  const page = await browser.context.newPage();
  try {
    await page.clock.setFixedTime(FIXED);
    // A same-origin document without the shop's script: nothing holds the database open.
    await page.goto(new URL('/shop/shop.css', server.url).href);
    await page.evaluate(() => new Promise((resolve, reject) => {
      localStorage.clear();
      sessionStorage.clear();
      const req = indexedDB.deleteDatabase('tagwise');
      req.onsuccess = () => resolve();
      req.onerror = () => reject(req.error);
    }));
    await browser.context.clearCookies();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await fn(page, errors);
  } finally {
    await page.close();
  }
}

async function ready(page) {
  await page.waitForFunction(() => window.__shop?.ready === true || window.__shop?.failed === true, null, { timeout: 30_000 });
  const { failed, errors } = await page.evaluate(() => ({ failed: window.__shop.failed ?? false, errors: window.__shop.errors }));
  assert.equal(failed, false, `page failed: ${errors.join('; ')}`);
  assert.deepEqual(errors, []);
}

async function open(page, path) {
  const response = await page.goto(new URL(path, server.url).href);
  await ready(page);
  return response;
}

/** Clicks a link that navigates and waits for the next page to be ready. */
async function follow(page, selector) {
  const from = page.url();
  await Promise.all([page.waitForURL((u) => u.href !== from, { timeout: 30_000 }), page.click(selector)]);
  await ready(page);
}

/** Waits until the server's copy of the visitor is up to date. */
async function synced(page) {
  await page.waitForFunction(() => window.__shop.sync.pending === false, null, { timeout: 30_000 });
}

async function acceptAll(page) {
  await page.click('#consent-banner [data-consent="all"]');
  await page.waitForFunction(() => window.__tagwise.consent.decided && window.__tagwise.consent.get().personalization);
  await page.waitForSelector('#consent-banner', { state: 'hidden' });
  await synced(page);
}

const panelTags = (page) => page.$$eval('#tag-list li[data-tag]', (lis) => lis.map((li) => li.dataset.tag));
const recItems = (page) => page.$$eval('#recs > li[data-item]', (lis) => lis.map((li) => li.dataset.item));
const recReasons = (page) => page.$$eval('#recs li[data-reason]', (lis) => [...new Set(lis.map((li) => li.dataset.reason))]);

describe('demo storefront', () => {
  it('browsing game cards brings tags into the panel (with why?) and changes the recommendations', async () => {
    await visitor(async (page, errors) => {
      await open(page, '/?debug=1');
      assert.equal(await page.isVisible('#consent-banner'), true, 'first visit shows the consent banner');
      await acceptAll(page);
      await page.waitForSelector('#tag-list li[data-tag="new_visitor"]');
      // The hero-banner experiment runs once analytics is consented.
      const experiment = await page.evaluate(() => window.__shop.experiment);
      assert.equal(experiment.inExperiment, true);
      assert.equal(await page.getAttribute('#hero', 'data-variation'), experiment.value);
      // Its variant is a developer's line: shown with ?debug=1, not to shoppers.
      await page.waitForFunction(() => document.getElementById('experiment').textContent !== '');
      assert.match(await page.textContent('#experiment'), new RegExp(`hero-banner：变体 ${experiment.value}`));
      await open(page, '/');
      assert.equal(await page.evaluate(() => window.__shop.experiment.value), experiment.value);
      assert.equal(await page.textContent('#experiment'), '');
      assert.equal(await page.textContent('#ssr-status'), '');
      const coldItems = await recItems(page);
      const coldReasons = await recReasons(page);
      assert.ok(coldItems.length > 0);
      assert.ok(coldReasons.every((c) => ['segment', 'trending', 'popular'].includes(c)), `cold start reasons: ${coldReasons}`);
      assert.match(await page.textContent('#recs'), /热门榜，非个性化|非个性化兜底/, 'the reason says it is a non-personal (cold-start) list');

      // Three game cards: the first from the home page, the next two from the recommendations.
      await follow(page, `a.card-link[href="/product/${GAME_CARDS[0]}"]`);
      for (const item of GAME_CARDS.slice(1)) await follow(page, `#recs a[href="/product/${item}"]`);
      await follow(page, 'a.brand');
      await page.waitForSelector('#tag-list li[data-tag="gamer"]');
      const tags = await panelTags(page);
      for (const id of ['gamer', 'digital_fan', 'high_intent', 'browse_active', 'new_visitor']) assert.ok(tags.includes(id), `${id} in ${tags}`);
      assert.match(await page.textContent('#tag-list'), /游戏玩家/);
      assert.match(await page.textContent('#tag-list'), /高意向未转化/);

      const warmItems = await recItems(page);
      assert.notDeepEqual(warmItems, coldItems, 'recommendations changed after browsing');
      const warmReasons = await recReasons(page);
      assert.ok(warmReasons.some((c) => c === 'similar' || c === 'bought_together'), `personal reasons: ${warmReasons}`);

      // "why?" by keyboard: focus the button, press Enter, read the trace.
      await page.focus('#tag-list button.why[data-why="gamer"]');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#why-gamer:not([hidden])');
      assert.equal(await page.getAttribute('#tag-list button.why[data-why="gamer"]', 'aria-expanded'), 'true');
      // One plain sentence with what was counted; no rule code, field names or epoch times.
      const why = (await page.textContent('#why-gamer')).trim();
      assert.equal(why, '最近 30 天你浏览、加购或购买了 3 次游戏点卡。');
      await page.click('#tag-list button.why[data-why="digital_fan"]');
      assert.match(await page.textContent('#why-digital_fan'), /最近 30 天你浏览、加购或购买了 \d+ 次数字商品/);
      for (const id of tags) {
        const button = `#tag-list button.why[data-why="${id}"]`;
        if (await page.getAttribute(button, 'aria-expanded') !== 'true') await page.click(button);
        await page.waitForSelector(`#why-${id}:not([hidden])`);
        const text = await page.textContent(`#why-${id}`);
        assert.doesNotMatch(text, /events\(|[a-z]+_[a-z]+|\d{12,}|[{}[\]]/, `${id}: ${text}`);
        assert.match(text, /[\u4e00-\u9fff]/, `${id} is said in Chinese: ${text}`);
      }
      assert.deepEqual(errors, []);
    });
  });

  it('add to cart and checkout record order_paid, change the tags and redeem the offer', async () => {
    await visitor(async (page, errors) => {
      await open(page, '/product/D-JD-100');
      await acceptAll(page);
      await page.waitForSelector('#offers li[data-offer="welcome"]');
      await page.waitForFunction(() => /今日已展示 1\/3/.test(document.querySelector('#offers li[data-offer="welcome"]').textContent));
      await page.click('#add-to-cart');
      await page.waitForSelector('#tag-list li[data-tag="cart_abandon"]');
      assert.equal(await page.textContent('#cart-count'), '1');

      await follow(page, 'header a[href="/cart"]');
      assert.equal(await page.evaluate(() => window.__shop.ssr.changed), false, 'the cart page was rendered with the cart add');
      await page.waitForSelector('#cart-discount[data-offer="welcome"]');
      assert.equal((await page.textContent('#cart-total')).trim(), '£8.00'); // £11 − £3 new-customer coupon
      await page.click('#checkout');
      await page.waitForSelector('#order-result:not([hidden])');
      await page.waitForSelector('#tag-list li[data-tag="first_order"]');
      const tags = await panelTags(page);
      assert.ok(!tags.includes('new_visitor') && !tags.includes('repeat_buyer') && !tags.includes('cart_abandon'), `tags after paying: ${tags}`);
      // One lifecycle stage at a time (the exclusive group): 首单用户 only.
      const lifecycle = await page.$$eval('#tag-list li[data-tag]', (lis) => lis.map((li) => li.dataset.tag)
        .filter((id) => ['new_visitor', 'first_order', 'repeat_buyer'].includes(id)));
      assert.deepEqual(lifecycle, ['first_order']);

      const outcome = await page.evaluate(async () => {
        const tw = window.__tagwise;
        const data = await tw.exportData();
        return {
          order: window.__shop.lastOrder,
          paid: data.profile.events.filter((e) => e.type === 'order_paid').map((e) => e.props),
          purchases: data.profile.events.filter((e) => e.type === 'purchase').map((e) => e.props.item),
          history: tw.offers.history().map((r) => `${r.offer}:${r.action}`),
          welcome: tw.offers.eligible().ineligible.find((o) => o.id === 'welcome')?.reasons ?? null,
        };
      });
      assert.equal(outcome.paid.length, 1);
      assert.equal(outcome.paid[0].amount, 8);
      assert.deepEqual(outcome.paid[0].items, ['D-JD-100']);
      assert.deepEqual(outcome.purchases, ['D-JD-100']);
      assert.equal(outcome.order.redeemed, true);
      assert.ok(outcome.history.includes('welcome:redeemed'), outcome.history.join());
      assert.ok(outcome.welcome.includes('once') || outcome.welcome.includes('audience'), `welcome afterwards: ${outcome.welcome}`);
      assert.equal(outcome.order.conversion.recorded, true, 'the hero-banner experiment converted');
      assert.equal(await page.textContent('#cart-count'), '0');

      // The operator sees it: the synced offer records counted per offer, in the console's offers tab.
      await synced(page);
      const stats = await (await page.request.get(new URL('/api/offer-stats', server.url).href)).json();
      const welcome = stats.offers.find((o) => o.id === 'welcome');
      assert.ok(welcome.visitors.shown >= 1 && welcome.visitors.redeemed >= 1 && welcome.redeemed >= 1, JSON.stringify(welcome));
      // Reached by keyboard (arrow keys on the tab list), the tab loads the numbers too.
      await page.goto(new URL('/console', server.url).href);
      await page.waitForSelector('body[data-ready=true]');
      await page.focus('#tab-builder');
      await page.keyboard.press('ArrowLeft'); // wraps round to the last tab, 优惠效果
      await page.waitForSelector('#panel-offers[data-runs] #offers-table');
      const row = await page.$eval('#offers-table tr[data-offer="welcome"]', (tr) => Object.fromEntries(
        [...tr.querySelectorAll('td[data-field]')].map((td) => [td.dataset.field, td.textContent])));
      assert.equal(row.shown, `${welcome.visitors.shown} / ${welcome.shown}`);
      assert.equal(row.redeemed, `${welcome.visitors.redeemed} / ${welcome.redeemed}`);
      // A handful of visitors: no rate, said in words.
      assert.match(row.redeemRate, /数据不足/);
      assert.deepEqual(errors, []);
    });
  });

  it('counts an offer\'s impression when it is seen, once per page view, and never takes the 新人券 away at checkout', async () => {
    await visitor(async (page, errors) => {
      const shownCount = () => page.evaluate(() => window.__tagwise.offers.history().filter((r) => r.offer === 'welcome' && r.action === 'shown').length);
      await page.setViewportSize({ width: 375, height: 160 }); // the offers panel is below the fold
      await open(page, '/product/D-JD-100');
      await acceptAll(page);
      await page.waitForSelector('#offers li[data-offer="welcome"]', { state: 'attached' });
      await page.evaluate(() => new Promise((resolve) => { requestAnimationFrame(() => setTimeout(resolve, 300)); }));
      assert.equal(await shownCount(), 0, 'not seen, not counted');
      await page.locator('#offers li[data-offer="welcome"]').scrollIntoViewIfNeeded();
      await page.waitForFunction(() => window.__tagwise.offers.history().some((r) => r.offer === 'welcome' && r.action === 'shown'));
      await page.mouse.wheel(0, -2000);
      await page.locator('#offers li[data-offer="welcome"]').scrollIntoViewIfNeeded();
      await page.evaluate(() => new Promise((resolve) => { setTimeout(resolve, 300); }));
      assert.equal(await shownCount(), 1, 'once per page view');

      // Seen on four more pages: the impression caps (3 a day) are used up …
      await page.setViewportSize({ width: 1280, height: 800 });
      for (let i = 0; i < 4; i++) {
        await open(page, '/product/D-JD-100');
        await page.evaluate(() => new Promise((resolve) => { setTimeout(resolve, 300); }));
      }
      const reasons = await page.evaluate(() => window.__tagwise.offers.eligible().ineligible.find((o) => o.id === 'welcome')?.reasons);
      assert.ok(reasons?.includes('cap_day') || reasons?.includes('daily_cap'), `welcome capped: ${reasons}`);
      // … but the cart still applies the coupon the shopper may use.
      await page.click('#add-to-cart');
      await follow(page, 'header a[href="/cart"]');
      await page.waitForSelector('#cart-discount[data-offer="welcome"]');
      assert.equal((await page.textContent('#cart-total')).trim(), '£8.00');
      assert.deepEqual(errors, []);
    });
  });

  it('withdrawing consent empties the tags, makes recommendations non-personal and deletes the stored events', async () => {
    await visitor(async (page, errors) => {
      await open(page, '/');
      await acceptAll(page);
      await follow(page, 'a.card-link[href="/product/D-STEAM-10"]');
      await synced(page);
      await follow(page, 'a.card-link[href="/product/D-STEAM-25"], #recs a[href="/product/D-STEAM-25"]');
      await page.waitForSelector('#tag-list li[data-tag="gamer"]');

      await follow(page, 'header a[href="/privacy"]');
      for (const p of ['personalization', 'marketing', 'analytics']) await page.uncheck(`#consent-form input[value="${p}"]`);
      await page.click('#consent-form button[type="submit"]');
      await page.waitForSelector('#consent-status:has-text("已保存")');
      await page.waitForSelector('#tag-list li.tag-none');
      assert.deepEqual(await panelTags(page), []);
      assert.match(await page.textContent('#offers'), /营销用途未同意/);

      // Nothing personal is left in IndexedDB: read the raw store.
      const stored = await page.evaluate(() => new Promise((resolve, reject) => {
        const req = indexedDB.open('tagwise');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          const all = db.transaction(db.objectStoreNames[0]).objectStore(db.objectStoreNames[0]).getAll();
          all.onsuccess = () => resolve(JSON.stringify(all.result));
          all.onerror = () => reject(all.error);
        };
      }));
      assert.ok(stored.length > 0, 'the store exists');
      assert.ok(!stored.includes('D-STEAM'), 'no view event left in IndexedDB');

      // After a reload: no events, non-personal recommendations, and the server's copy agrees.
      await open(page, '/');
      assert.deepEqual(await panelTags(page), []);
      const reasons = await recReasons(page);
      assert.ok(reasons.includes('personalization_off'), `reasons: ${reasons}`);
      assert.match(await page.textContent('#recs'), /个性化已关闭/);
      const exported = await page.evaluate(() => window.__tagwise.exportData());
      assert.deepEqual(exported.profile.events, []);
      assert.equal(exported.consent.purposes.personalization, false);
      assert.equal(await page.evaluate(() => window.__shop.ssr.changed), false);
      assert.deepEqual(errors, []);
    });
  });

  it('"forget me" erases the browser and server copies and starts a new visitor', async () => {
    await visitor(async (page, errors) => {
      await open(page, '/product/D-STEAM-10');
      await acceptAll(page);
      await follow(page, '#recs a[href="/product/D-STEAM-25"]');
      const before = await page.evaluate(() => JSON.parse(document.getElementById('shop-config').textContent).visitor);
      await follow(page, 'header a[href="/privacy"]');
      await page.click('#export-show');
      await page.waitForSelector('#export-view:not([hidden])');
      const shown = JSON.parse(await page.textContent('#export-view'));
      assert.equal(shown.format, 'tagwise-export');
      // The first view came before the consent choice, so it was not recorded.
      assert.deepEqual(shown.profile.events.map((e) => e.props.item), ['D-STEAM-25']);

      // The button only asks: "取消" keeps everything, "确定删除" erases.
      await page.click('#forget');
      assert.equal(await page.isVisible('#forget-confirm'), true);
      assert.match(await page.textContent('#forget-confirm'), /无法撤销/);
      await page.click('#forget-no');
      assert.equal(await page.isVisible('#forget-confirm'), false);
      assert.equal((await page.evaluate(async () => (await window.__tagwise.exportData()).profile.events)).length, 1, 'nothing erased yet');
      await page.click('#forget');
      await Promise.all([page.waitForEvent('load'), page.click('#forget-yes')]);
      await ready(page);
      assert.match(await page.textContent('#forget-status'), /已删除/);
      const after = await page.evaluate(async () => ({
        visitor: JSON.parse(document.getElementById('shop-config').textContent).visitor,
        events: (await window.__tagwise.exportData()).profile.events,
        decided: window.__tagwise.consent.decided,
      }));
      assert.notEqual(after.visitor, before, 'a new visitor id');
      assert.deepEqual(after.events, []);
      assert.equal(after.decided, false);
      assert.deepEqual(await panelTags(page), []);
      // The new visitor sees the banner again (on any page but /privacy); "necessary only" keeps personalisation off.
      await follow(page, 'a.brand');
      assert.equal(await page.isVisible('#consent-banner'), true);
      await page.click('#consent-banner [data-consent="necessary"]');
      await page.waitForSelector('#consent-banner', { state: 'hidden' });
      const consent = await page.evaluate(() => window.__tagwise.consent.get());
      assert.deepEqual(consent, { necessary: true, security: true, personalization: false, marketing: false, analytics: false });
      // The old visitor's copy is gone from the server: its cookie renders an empty profile.
      await browser.context.addCookies([{ name: 'tw_visitor', value: before, url: server.url }]);
      const html = await (await page.request.get(new URL('/privacy', server.url).href)).text();
      const state = JSON.parse(/<script type="application\/json" id="tagwise-state">(.*?)<\/script>/s.exec(html)[1]);
      assert.equal(state.profile.events, undefined);

      assert.deepEqual(errors, []);
    });
  });

  it('renders the product page with the visitor\'s tags on the server and hydrates without re-rendering', async () => {
    await visitor(async (page, errors) => {
      await open(page, '/');
      await acceptAll(page);
      await follow(page, 'a.card-link[href="/product/D-STEAM-10"]');
      await page.click('#add-to-cart');
      await synced(page);
      await follow(page, 'a.brand');
      await follow(page, 'a.card-link[href="/product/D-GENSHIN-MOON"]');
      await synced(page);

      // The HTML as the server sent it (before any script ran).
      const response = await open(page, '/product/D-HONOR-600');
      const html = await response.text();
      const state = JSON.parse(/<script type="application\/json" id="tagwise-state">(.*?)<\/script>/s.exec(html)[1]);
      const listHtml = /<ul id="tag-list"[^>]*>(.*?)<\/ul>/s.exec(html)[1];
      const serverTags = [...listHtml.matchAll(/data-tag="([^"]+)"/g)].map((m) => m[1]);
      assert.deepEqual(serverTags, state.tags.map(([id]) => id), 'the rendered panel is the embedded state');
      for (const id of ['gamer', 'cart_abandon', 'high_intent']) assert.ok(serverTags.includes(id), `${id} rendered by the server: ${serverTags}`);

      const browser = await page.evaluate(() => ({
        tags: window.__tagwise.tags().map((t) => [t.id, t.value]),
        ssr: window.__shop.ssr,
        renders: window.__shop.renders,
        recs: window.__shop.recs.map((r) => r.item),
      }));
      assert.deepEqual(browser.tags, state.tags, 'browser tags after hydration = server tags');
      assert.equal(browser.ssr.hydrated, true);
      assert.deepEqual(browser.ssr.mismatches, []);
      assert.equal(browser.ssr.changed, false);
      assert.equal(browser.ssr.recsChanged, false);
      assert.deepEqual(browser.renders, { tags: 0, recs: 0 }, 'nothing re-rendered');
      const serverRecs = [...html.matchAll(/<li class="rec" data-item="([^"]+)"/g)].map((m) => m[1]);
      assert.deepEqual(browser.recs, serverRecs);
      await open(page, '/product/D-HONOR-600?debug=1');
      assert.match(await page.textContent('#ssr-status'), /未重绘/);
      assert.deepEqual(errors, []);
    });
  });

  it('names every product category in the shopper\'s language, never by its code', async () => {
    const { CATEGORY_KEYWORDS } = await import('../../tools/retail/to_events.mjs');
    const { DIGITAL_GOODS } = await import('../../demo/data/build.mjs');
    const { categoryName } = await import('../../demo/shop/public/i18n.js');
    for (const code of [...CATEGORY_KEYWORDS, 'OTHER', ...DIGITAL_GOODS.map((d) => d.category)]) {
      for (const lang of ['zh', 'en']) assert.notEqual(categoryName(code, lang), code, `${code} (${lang})`);
    }
    for (const lang of ['zh', 'en']) {
      for (const path of ['/', '/product/D-STEAM-10']) {
        const html = await (await fetch(new URL(path, server.url), { headers: { cookie: `lang=${lang}` } })).text();
        const main = /<main[^>]*>([\s\S]*)<\/main>/.exec(html)[1].replace(/<[^>]*>/g, ' ');
        assert.doesNotMatch(main, /\b(GAME_CARD|GIFT_CARD|MEMBERSHIP)\b/, `${lang} ${path}`);
        assert.match(main, lang === 'zh' ? /游戏点卡/ : /Game cards/, `${lang} ${path}`);
      }
    }
  });

  it('says "why?" to shoppers in one sentence of their language for every tag and every reason', async () => {
    const { WHY_TEXT } = await import('../../demo/shop/public/i18n.js');
    const { whyText } = await import('../../demo/shop/public/explain.js');
    const { tagMeta } = await import('../../demo/shop/public/render.js');
    const catalog = JSON.parse(readFileSync(new URL('../../demo/shop/catalog.json', import.meta.url), 'utf8'));
    const meta = tagMeta(catalog);
    for (const lang of ['zh', 'en']) {
      for (const tag of catalog.tags) assert.equal(typeof WHY_TEXT[lang].tags[tag.id], 'function', `${lang}: ${tag.id}`);
    }
    const held = { id: 'gamer', holds: true, source: 'rule', value: 3, when: { op: '>=', args: [{ op: 'events', value: 3, matched: 3 }, { op: 'literal', value: 2 }] } };
    assert.equal(whyText(held, meta, 'zh'), '最近 30 天你浏览、加购或购买了 3 次游戏点卡。');
    assert.equal(whyText(held, meta, 'en'), 'In the last 30 days you viewed, added or bought game cards 3 times.');
    assert.match(whyText({ id: 'digital_fan', holds: true, source: 'parentTag', children_holding: ['gamer'] }, meta, 'zh'), /「游戏玩家」/);
    assert.match(whyText({ id: 'new_visitor', holds: false, source: 'exclusiveLoser', suppressed_by: 'first_order' }, meta, 'zh'), /「首单用户」阶段/);
    assert.match(whyText({ id: 'gamer', holds: false, source: 'consentDenied', purpose: 'personalization' }, meta, 'en'), /not agreed/);
  });

  it('says what the privacy page does: security can be switched off, choices apply on save, erasing asks first', async () => {
    for (const lang of ['zh', 'en']) {
      const res = await fetch(new URL('/privacy', server.url), { headers: { cookie: `lang=${lang}` } });
      const html = await res.text();
      const banner = /<p id="consent-p">([^<]*)<\/p>/.exec(html)[1];
      const intro = /<h1>[^<]*<\/h1>\s*<p>([^<]*)<\/p>/.exec(html)[1];
      const save = /<button type="submit" class="primary">([^<]*)<\/button>/.exec(html)[1];
      // The privacy page lets the visitor untick security (only "necessary" is fixed) …
      assert.match(html, /<input type="checkbox" name="purpose" value="necessary" checked disabled>/);
      assert.match(html, /<input type="checkbox" name="purpose" value="security">/);
      // … so the banner does not call it always on, and the intro names the save button.
      assert.doesNotMatch(banner, lang === 'zh' ? /安全[^；。]*始终开启/ : /security[^;.]*always on/i, lang);
      assert.ok(intro.includes(save.replace(/&quot;/g, '"')), `${lang}: "${intro}" names "${save}"`);
      assert.match(html, /id="forget-confirm"[^>]*hidden/, `${lang}: erasing asks first`);
    }
  });

  it('switches language and fits a 375 px screen', async () => {
    await visitor(async (page, errors) => {
      await page.setViewportSize({ width: 375, height: 740 });
      await open(page, '/');
      await acceptAll(page);
      for (const path of ['/', '/product/D-STEAM-10', '/cart', '/privacy']) {
        await open(page, path);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 375, `${path}: scrollWidth ${width}`);
      }
      // On a phone the tags and offers come first, on the first screen, with the product's title.
      await open(page, '/product/D-STEAM-10');
      await page.waitForSelector('#offers > :is(ul, details)');
      const tops = await page.evaluate(() => Object.fromEntries(['#tags-panel', '#offers-panel', '#main h1']
        .map((s) => [s, Math.round(document.querySelector(s).getBoundingClientRect().top)])));
      for (const [what, top] of Object.entries(tops)) assert.ok(top < 740, `${what} at ${top} px: below the first screen`);
      await open(page, '/');
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
      assert.match(await page.textContent('header'), /购物车/);
      const zhRecs = await recItems(page);
      await Promise.all([page.waitForEvent('load'), page.click('[data-lang-toggle]')]);
      await ready(page);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.deepEqual(await recItems(page), zhRecs, 'the language changes the words, not the goods (the region list is the shop\'s market)');
      assert.match(await page.textContent('header'), /Cart/);
      assert.match(await page.textContent('#tags-panel h2'), /Your tags/);
      assert.match(await page.textContent('#tag-list'), /New visitor/);
      assert.match(await page.textContent('#recs'), /non-personal/);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 375, `English home: scrollWidth ${width}`);
      assert.deepEqual(errors, []);
    });
  });
});
