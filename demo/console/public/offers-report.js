// The console's "优惠效果 / Offers" tab: what the storefront's offers did —
// per offer, how many visitors were shown it, clicked it and redeemed it (and
// how many times), from GET /api/offer-stats (demo/shop/offer_stats.mjs:
// the offer records visitors' browsers synced while they allowed marketing).
// Rates appear only once enough visitors saw the offer; before that the tab
// says so instead of a percentage over a handful of people.
import { h, pct, scrollTable } from './insights-dom.js';

const TEXT = {
  zh: {
    title: '优惠效果', intro: '商城里每个优惠被展示、点击、使用的情况：来自访客浏览器同步到服务器的优惠记录（仅限允许营销用途的访客；“删除我的全部数据”会一并删除）。展示 = 优惠至少一半出现在屏幕上，每次浏览页面最多记一次。',
    refresh: '刷新', loading: '正在读取…', failed: (m) => `读取失败：${m}`,
    visitors: (n) => `${n} 位访客有优惠记录`,
    cols: ['优惠', '展示（访客 / 次）', '点击（访客 / 次）', '使用（访客 / 次）', '点击率', '使用率'],
    caption: '每个优惠的展示、点击与使用', notEnough: '数据不足', rateNote: (min) => `比率按访客计：展示给至少 ${min} 位访客后才计算，之前显示“数据不足”。`,
  },
  en: {
    title: 'Offer results', intro: 'How each storefront offer was shown, clicked and redeemed: from the offer records visitors\' browsers sync to the server (only visitors who allow marketing; "forget me" deletes theirs). Shown = at least half the offer on screen, at most once per page view.',
    refresh: 'Refresh', loading: 'Loading…', failed: (m) => `Could not load: ${m}`,
    visitors: (n) => `${n} visitors with offer records`,
    cols: ['Offer', 'Shown (visitors / times)', 'Clicked (visitors / times)', 'Redeemed (visitors / times)', 'Click rate', 'Redemption rate'],
    caption: 'Shown, clicked and redeemed per offer', notEnough: 'Not enough data', rateNote: (min) => `Rates are per visitor, once at least ${min} visitors saw the offer; before that: "not enough data".`,
  },
};

export function mountOffers(el, ctx) {
  const t = TEXT[ctx.lang === 'en' ? 'en' : 'zh'];
  const summary = h('p', { id: 'offers-summary', 'aria-live': 'polite' });
  const holder = h('div');
  const refresh = h('button', { type: 'button', id: 'offers-refresh' }, t.refresh);
  el.replaceChildren(h('h2', {}, t.title), h('p', { class: 'muted' }, t.intro), h('p', {}, refresh), summary, holder);
  let runs = 0;

  async function load() {
    summary.textContent = t.loading;
    try {
      const res = await fetch('/api/offer-stats', { cache: 'no-store' });
      if (!res.ok) throw new Error(`${res.status}`);
      render(await res.json());
    } catch (error) {
      summary.textContent = t.failed(error.message);
    }
    el.dataset.runs = String(++runs);
  }

  function render(stats) {
    summary.textContent = t.visitors(stats.visitors);
    const cell = (row, action) => h('td', { class: 'num', dataset: { field: action } }, `${row.visitors[action]} / ${row[action]}`);
    const rate = (value, field) => h('td', { class: 'num', dataset: { field } }, value === null ? t.notEnough : pct(value));
    const table = h('table', { class: 'insights-table', id: 'offers-table' },
      h('thead', {}, h('tr', {}, t.cols.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, stats.offers.map((row) => h('tr', { dataset: { offer: row.id } },
        h('th', { scope: 'row' }, row.name, ' ', h('code', {}, row.id)),
        cell(row, 'shown'), cell(row, 'clicked'), cell(row, 'redeemed'),
        rate(row.clickRate, 'clickRate'), rate(row.redeemRate, 'redeemRate')))));
    holder.replaceChildren(scrollTable(table, t.caption), h('p', { class: 'muted' }, t.rateNote(stats.minShown)));
  }

  refresh.addEventListener('click', load);
  // Fresh numbers each time the panel is shown, by click or by keyboard (as hygiene.js does).
  new MutationObserver(() => { if (!el.hidden) load(); }).observe(el, { attributes: true, attributeFilter: ['hidden'] });
  if (!el.hidden) load();
}
