// The operator console's shell: one tagwise instance (memory storage, every
// purpose granted: the shop's own back office), the customer sample, the
// catalog being edited, the tabs, and save/load of the catalog as a JSON file.
//
// Tab modules get a `ctx` (see docs/demo.md, "Operator console") and own their panel:
//   ctx.tw            the tagwise instance (createTagwise from "tagwise")
//   ctx.lang          "zh" | "en"
//   ctx.sample        { profiles: [{user_id, attributes, events}], meta } (meta: build-demo/customers.json)
//   ctx.asOf          the evaluation time of the sample (ms)
//   ctx.getCatalog()  the catalog being edited (a JSON object; treat as read-only)
//   ctx.setCatalog(catalog, { source })   replace it (tabs hear onCatalogChange)
//   ctx.onCatalogChange(fn)               fn(catalog, { source }); returns an unsubscribe
//   ctx.status(text)  a short message in the page's status line (role=status)
//   ctx.store         what is kept in this browser across reloads (store.js): the
//                     working catalog ("catalog") and the builder's draft ("draft")
import { createTagwise } from 'tagwise';
import { loadSample } from './sample.js';
import { mountBuilder } from './builder.js';
import { mountHygiene } from './hygiene.js';
import { mountExperiments } from './experiments.js';
import { mountOffers } from './offers-report.js';
import { openStore } from './store.js';

const lang = document.getElementById('main').dataset.lang === 'en' ? 'en' : 'zh';
const statusLine = document.getElementById('console-status');
const status = (text) => { statusLine.textContent = text; };

function setUpTabs() {
  const tabs = [...document.querySelectorAll('[role=tab]')];
  const select = (tab) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute('aria-controls')).hidden = !on;
    }
    history.replaceState(null, '', `#${tab.dataset.tab}`);
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => select(tab));
    tab.addEventListener('keydown', (e) => {
      const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (d === 0) return;
      const next = tabs[(i + d + tabs.length) % tabs.length];
      next.focus();
      select(next);
    });
  });
  const initial = tabs.find((t) => `#${t.dataset.tab}` === location.hash);
  if (initial) select(initial);
}

function download(name, text) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

async function start() {
  const [tw, sample, catalog, store] = await Promise.all([
    createTagwise({ features: ['experiments', 'offers', 'recommend', 'conditions', 'lint', 'text', 'batch'], storage: 'memory', purposes: ['necessary', 'security', 'personalization', 'marketing', 'analytics'] }),
    loadSample(),
    fetch('/data/console-catalog.json').then((r) => r.json()),
    openStore(),
  ]);
  // The working catalog survives a reload: what was applied stays applied.
  const kept = await store.get('catalog').catch(() => undefined);
  let current = kept ?? catalog;
  const listeners = new Set();
  const ctx = {
    tw, lang, sample, asOf: sample.meta.asOf, status, store,
    getCatalog: () => current,
    setCatalog(next, { source = 'unknown' } = {}) {
      current = next;
      store.set('catalog', next).catch(() => {});
      for (const fn of listeners) fn(current, { source });
    },
    onCatalogChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
  window.__console = ctx; // for tests and for poking around in devtools

  document.getElementById('catalog-reset').addEventListener('click', () => {
    ctx.setCatalog(structuredClone(catalog), { source: 'reset' });
    status(lang === 'en' ? 'Back to the example catalog.' : '已恢复为示例目录。');
  });
  document.getElementById('catalog-save').addEventListener('click', () => {
    download('tagwise-catalog.json', `${JSON.stringify(ctx.getCatalog(), null, 2)}\n`);
  });
  document.getElementById('catalog-load').addEventListener('change', async (e) => {
    const file = e.target.files?.[0];
    if (!file) return;
    try {
      const loaded = JSON.parse(await file.text());
      const report = tw.lintCatalog(loaded, { now: ctx.asOf });
      const errors = report.findings.filter((f) => f.severity === 'error');
      ctx.setCatalog(loaded, { source: 'file' });
      status(lang === 'en'
        ? `Loaded ${file.name}: ${loaded.tags?.length ?? 0} tags, ${errors.length} errors`
        : `已载入 ${file.name}：${loaded.tags?.length ?? 0} 个标签，${errors.length} 个错误`);
    } catch (error) {
      status(lang === 'en' ? `Could not load ${file.name}: ${error.message}` : `无法载入 ${file.name}：${error.message}`);
    }
    e.target.value = '';
  });

  setUpTabs();
  mountBuilder(document.getElementById('panel-builder'), ctx);
  mountHygiene(document.getElementById('panel-hygiene'), ctx);
  mountExperiments(document.getElementById('panel-experiments'), ctx);
  mountOffers(document.getElementById('panel-offers'), ctx);
  const restored = kept === undefined ? ''
    : lang === 'en' ? ' · the catalog as you left it (kept in this browser)' : ' · 目录为你上次离开时的样子（保存在本浏览器）';
  status((lang === 'en'
    ? `${sample.profiles.length} real customers (UCI Online Retail) as of ${sample.meta.asOfIso.slice(0, 10)}`
    : `${sample.profiles.length} 位真实客户（UCI Online Retail），截至 ${sample.meta.asOfIso.slice(0, 10)}`) + restored
    + (store.kept ? '' : lang === 'en' ? ' · this browser keeps nothing (no IndexedDB)' : ' · 本浏览器无法保存（没有 IndexedDB）'));
  document.body.dataset.ready = 'true';
}

start().catch((error) => {
  status(`tagwise: ${error.message}`);
  console.error(error);
});
