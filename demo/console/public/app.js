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
import { createTagwise } from 'tagwise';
import { loadSample } from './sample.js';
import { mountBuilder } from './builder.js';
import { mountHygiene } from './hygiene.js';
import { mountExperiments } from './experiments.js';

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
  const [tw, sample, catalog] = await Promise.all([
    createTagwise({ features: ['experiments', 'offers', 'recommend', 'conditions', 'lint', 'text', 'batch'], storage: 'memory', purposes: ['necessary', 'security', 'personalization', 'marketing', 'analytics'] }),
    loadSample(),
    fetch('/data/retail-catalog.json').then((r) => r.json()),
  ]);
  let current = catalog;
  const listeners = new Set();
  const ctx = {
    tw, lang, sample, asOf: sample.meta.asOf, status,
    getCatalog: () => current,
    setCatalog(next, { source = 'unknown' } = {}) {
      current = next;
      for (const fn of listeners) fn(current, { source });
    },
    onCatalogChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
  window.__console = ctx; // for tests and for poking around in devtools

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
  status(lang === 'en'
    ? `${sample.profiles.length} real customers (UCI Online Retail) as of ${sample.meta.asOfIso.slice(0, 10)}`
    : `${sample.profiles.length} 位真实客户（UCI Online Retail），截至 ${sample.meta.asOfIso.slice(0, 10)}`);
  document.body.dataset.ready = 'true';
}

start().catch((error) => {
  status(`tagwise: ${error.message}`);
  console.error(error);
});
