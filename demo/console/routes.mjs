// Operator console routes: the console page at /console (its scripts and
// styles are static files under /console/assets/, i.e. demo/console/public/).
import { escapeHtml, languageOf, page, sendHtml } from '../lib/html.mjs';

const TEXT = {
  zh: {
    title: 'tagwise 运营控制台', shop: '← 返回商城', lang: 'English', builder: '规则编辑', hygiene: '目录体检',
    experiments: 'A/B 实验', offers: '优惠效果', save: '保存目录', load: '载入目录', reset: '恢复示例目录', loading: '正在载入 tagwise 与客户样本…', skip: '跳到内容',
  },
  en: {
    title: 'tagwise operator console', shop: '← Back to the shop', lang: '中文', builder: 'Rule builder', hygiene: 'Catalog health',
    experiments: 'A/B tests', offers: 'Offer results', save: 'Save catalog', load: 'Load catalog', reset: 'Back to the example catalog', loading: 'Loading tagwise and the customer sample…', skip: 'Skip to content',
  },
};

export async function createConsoleRoutes() {
  return async (req, res, url) => {
    if (url.pathname !== '/console' && url.pathname !== '/console/') return false;
    const lang = languageOf(req);
    const t = TEXT[lang];
    const tab = (id, label, selected) =>
      `<button role="tab" id="tab-${id}" aria-controls="panel-${id}" aria-selected="${selected}" tabindex="${selected ? 0 : -1}" data-tab="${id}">${escapeHtml(label)}</button>`;
    const panel = (id, hidden) => `<section role="tabpanel" id="panel-${id}" aria-labelledby="tab-${id}"${hidden ? ' hidden' : ''} tabindex="0"></section>`;
    sendHtml(res, page({
      lang,
      title: t.title,
      head: '<link rel="stylesheet" href="/console/assets/console.css"><link rel="stylesheet" href="/console/assets/insights.css">',
      bodyClass: 'console',
      body: `<a class="skip-link" href="#main">${escapeHtml(t.skip)}</a>
<header class="site-header">
  <a class="brand" href="/console">${escapeHtml(t.title)}</a>
  <nav><a href="/">${escapeHtml(t.shop)}</a></nav>
  <span class="spacer"></span>
  <button type="button" id="catalog-save">${escapeHtml(t.save)}</button>
  <button type="button" id="catalog-reset">${escapeHtml(t.reset)}</button>
  <label class="file-button"><input type="file" id="catalog-load" accept="application/json,.json" class="visually-hidden"><span>${escapeHtml(t.load)}</span></label>
  <button type="button" data-lang-toggle>${escapeHtml(t.lang)}</button>
</header>
<main id="main" data-lang="${lang}">
  <p id="console-status" role="status" class="muted">${escapeHtml(t.loading)}</p>
  <div role="tablist" aria-label="${escapeHtml(t.title)}" class="tabs">
    ${tab('builder', t.builder, true)}${tab('hygiene', t.hygiene, false)}${tab('experiments', t.experiments, false)}${tab('offers', t.offers, false)}
  </div>
  ${panel('builder', false)}${panel('hygiene', true)}${panel('experiments', true)}${panel('offers', true)}
</main>`,
      scripts: ['/assets/lang.js', '/console/assets/app.js'],
    }));
    return true;
  };
}
