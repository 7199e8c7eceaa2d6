// The runtime against real browser storage (issue 5): headless Chromium with
// a real profile directory, IndexedDB and localStorage. Every assertion about
// storage reads the raw stored value back from the browser after the call,
// not a mock. Pages of one browser context share the origin's storage and
// BroadcastChannel, so two pages are two tabs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, READ_RAW_STORE, startServer } from './support.mjs';

const NOW = Date.UTC(2026, 10, 20, 8);
const DAY = 86_400_000;

const CATALOG = {
  tagwise: 1,
  tags: [
    { id: 'active', name: '高活跃用户', purpose: 'personalization', when: { '>=': [{ events: [{ type: 'view', within: '7d' }] }, 3] } },
    { id: 'viewer', name: '浏览过', purpose: 'personalization', when: { '>=': [{ events: [{ type: 'view' }] }, 1] } },
    { id: 'coupon_target', name: '优惠券人群', purpose: 'marketing', when: { '>=': [{ events: [{ type: 'coupon_view' }] }, 1] } },
    { id: 'refund_risk', name: '退款风险', purpose: 'security', when: { '>=': [{ events: [{ type: 'refund', within: '30d' }] }, 2] } },
  ],
};

// The page only loads the package; tests drive it with page.evaluate.
const PAGE = `<!doctype html><html lang="zh"><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body>
<script type="module">
import * as tagwise from '/js/index.js';
window.tagwise = tagwise;
window.CATALOG = ${JSON.stringify(CATALOG)};
window.NOW = ${NOW};
window.diags = [];
window.changes = [];
window.consentHeard = [];
// Opens the runtime the way a shop page would, with an injected clock.
window.open_ = async (opts = {}) => {
  window.tw = await tagwise.createTagwise({
    catalog: window.CATALOG, clock: () => window.NOW, purposes: ['necessary', 'security', 'personalization', 'marketing'],
    onError: (d) => window.diags.push({ code: d.code, step: d.step, eventsKept: d.eventsKept, eventsDropped: d.eventsDropped, truncated: d.truncated }),
    ...opts, storage: opts.storage === 'localStorage' ? tagwise.webStorage() : opts.storage,
  });
  window.tw.onTagsChanged((c) => window.changes.push(c));
  window.tw.consent.onChange((c, info) => window.consentHeard.push({ personalization: c.personalization, source: info.source }));
  return window.tw.storage;
};
// The raw stored text, read straight from IndexedDB or localStorage.
${READ_RAW_STORE}
window.writeRaw = (key, where, text) => where === 'localStorage' ? Promise.resolve(localStorage.setItem(key, text)) : new Promise((resolve, reject) => {
  const r = indexedDB.open('tagwise');
  r.onsuccess = () => {
    const db = r.result;
    const tx = db.transaction('kv', 'readwrite');
    tx.objectStore('kv').put(text, key);
    tx.oncomplete = () => { db.close(); resolve(); };
    tx.onerror = () => reject(tx.error);
  };
});
window.ids = () => window.tw.tags().map((t) => t.id);
window.ready = true;
</script></body></html>`;

let server;
let browser;

before(async () => {
  server = await startServer({ routes: { '/runtime.html': PAGE } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function tab() {
  return openPage(browser.context, `${server.baseUrl}/runtime.html`, { waitFor: () => window.ready === true });
}

const views = (n, prefix) => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, type: 'view', ts: NOW - i * 60_000, props: { item: `商品${i}` } }));

for (const where of ['indexedDB', 'localStorage']) {
  test(`${where}: events persist across reloads, the store is versioned and checksummed, and a page close flushes`, async () => {
    const key = `persist-${where}`;
    const { page, problems } = await tab();
    assert.deepEqual(await page.evaluate(({ key, where }) => window.open_({ storageKey: key, storage: where }), { key, where }),
      { adapter: where, key });
    await page.evaluate((events) => { window.tw.trackMany(events); return window.tw.flush(); }, views(3, 'a'));
    const text = await page.evaluate(({ key, where }) => window.raw(key, where), { key, where });
    assert.match(text, /^TAGWISE-STORE 1\nH [0-9a-f]{8} /);
    assert.equal(text.split('\n').filter((l) => l.startsWith('E ')).length, 3);
    assert.match(text, /\nEND [0-9a-f]{8} 3\n$/);

    // Track with a long debounce, then close the tab: pagehide must write it.
    await page.evaluate(({ key, where }) => window.open_({ storageKey: key, storage: where, flushDelay: 600_000 }), { key, where });
    await page.evaluate(() => window.tw.track({ id: 'last', type: 'view', ts: window.NOW }));
    await page.close({ runBeforeUnload: true });
    assert.deepEqual(problems, []);

    const second = await tab();
    await second.page.evaluate(({ key, where }) => window.open_({ storageKey: key, storage: where }), { key, where });
    const events = await second.page.evaluate(() => window.tw.getProfile().events.map((e) => e.id).sort());
    assert.deepEqual(events, ['a0', 'a1', 'a2', 'last'], 'nothing lost on unload');
    assert.deepEqual(await second.page.evaluate(() => window.ids()), ['active', 'viewer']);
    assert.deepEqual(await second.page.evaluate(() => window.diags), []);
    // IndexedDB's unload backup (a synchronous localStorage copy) is merged, then removed.
    await second.page.evaluate(() => window.tw.flush());
    assert.equal(await second.page.evaluate((key) => localStorage.getItem(`${key}:unload`), key), null);
    await second.page.close();
  });

  test(`${where}: a corrupted or truncated store is recovered (intact events kept) and reported`, async () => {
    const key = `corrupt-${where}`;
    const { page } = await tab();
    await page.evaluate(({ key, where }) => window.open_({ storageKey: key, storage: where }), { key, where });
    await page.evaluate((events) => { window.tw.trackMany(events); return window.tw.flush(); }, views(6, 'c'));
    const text = await page.evaluate(({ key, where }) => window.raw(key, where), { key, where });
    const lines = text.split('\n');
    lines[4] = lines[4].replace('商品', '商X'); // one damaged event line
    const damaged = lines.slice(0, -3).join('\n'); // ... and the tail cut off
    await page.evaluate(({ key, where, damaged }) => window.writeRaw(key, where, damaged), { key, where, damaged });
    await page.reload();
    await page.waitForFunction(() => window.ready === true);
    await page.evaluate(({ key, where }) => window.open_({ storageKey: key, storage: where }), { key, where });
    const kept = await page.evaluate(() => window.tw.getProfile().events.length);
    const diags = await page.evaluate(() => window.diags);
    assert.equal(kept, 4, 'event lines 3, 4, 6 and 7 are intact; 5 is damaged; the cut removed line 8 and END');
    assert.equal(diags.length, 1);
    assert.equal(diags[0].code, 'store_damaged');
    assert.equal(diags[0].truncated, true);
    // The repaired store is written back and loads cleanly.
    await page.evaluate(() => window.tw.flush());
    const repaired = await page.evaluate(({ key, where }) => window.raw(key, where), { key, where });
    assert.match(repaired, /\nEND [0-9a-f]{8} 4\n$/);
    await page.close();
  });
}

test('two tabs tracking at the same time lose nothing, count nothing twice, and see each other\'s tag changes', async () => {
  const key = 'tabs';
  const a = await tab();
  const b = await tab();
  await a.page.evaluate((key) => window.open_({ storageKey: key, flushDelay: 20 }), key);
  await b.page.evaluate((key) => window.open_({ storageKey: key, flushDelay: 20 }), key);
  // Interleaved bursts from both tabs, plus one event both receive.
  const run = (page, prefix) => page.evaluate(async ({ prefix }) => {
    for (let i = 0; i < 25; i++) {
      window.tw.track({ id: `${prefix}${i}`, type: 'coupon_view', ts: window.NOW - i });
      if (i % 5 === 0) await new Promise((r) => setTimeout(r, 7));
    }
    window.tw.track({ id: 'both', type: 'view', ts: window.NOW - 1000 });
  }, { prefix });
  await Promise.all([run(a.page, 'a'), run(b.page, 'b')]);
  await Promise.all([a.page.evaluate(() => window.tw.flush()), b.page.evaluate(() => window.tw.flush())]);
  // Tab B saw A's events live (BroadcastChannel) without reloading.
  await b.page.waitForFunction(() => window.tw.getProfile().events.length === 51);
  await a.page.waitForFunction(() => window.tw.getProfile().events.length === 51);
  assert.ok(await b.page.evaluate(() => window.changes.some((c) => c.entered.includes('coupon_target'))));

  // A tag change in one tab reaches the other.
  await a.page.evaluate(() => window.tw.trackMany([{ id: 'v1', type: 'view', ts: window.NOW - 5 }, { id: 'v2', type: 'view', ts: window.NOW - 6 }]));
  await b.page.waitForFunction(() => window.ids().includes('active'));

  await Promise.all([a.page.evaluate(() => window.tw.flush()), b.page.evaluate(() => window.tw.flush())]);
  const c = await tab();
  await c.page.evaluate((key) => window.open_({ storageKey: key }), key);
  const stored = await c.page.evaluate(() => window.tw.getProfile().events.map((e) => e.id));
  assert.equal(stored.length, 53, 'a0..a24, b0..b24, both, v1, v2');
  assert.equal(new Set(stored).size, 53);
  for (const p of [a, b, c]) {
    assert.deepEqual(p.problems, []);
    await p.page.close();
  }
});

test('consent: opt-in by default in the browser; switching a purpose off clears its tags and its data in storage, in every tab', async () => {
  const key = 'consent';
  const a = await tab();
  const b = await tab();
  // No purposes option: the browser default (necessary + security only).
  const defaults = await a.page.evaluate(async (key) => {
    const tw = await window.tagwise.createTagwise({ catalog: window.CATALOG, clock: () => window.NOW, storageKey: key });
    const r = tw.track({ id: 'v0', type: 'view', ts: window.NOW });
    const consent = tw.consent.get();
    await tw.close();
    return { consent, withheld: r.withheld, decided: tw.consent.decided };
  }, key);
  assert.deepEqual(defaults, {
    consent: { necessary: true, security: true, personalization: false, marketing: false, analytics: false },
    withheld: 1, decided: false,
  });

  await a.page.evaluate((key) => window.open_({ storageKey: key }), key);
  await b.page.evaluate((key) => window.open_({ storageKey: key }), key);
  await a.page.evaluate((events) => window.tw.trackMany([...events, { id: 'r1', type: 'refund', ts: window.NOW }, { id: 'r2', type: 'refund', ts: window.NOW - 1 }]), views(3, 'v'));
  await a.page.evaluate(() => window.tw.flush());
  await b.page.waitForFunction(() => window.ids().includes('active'));

  await a.page.evaluate(() => window.tw.consent.set({ personalization: false }));
  assert.deepEqual(await a.page.evaluate(() => window.ids()), ['refund_risk']);
  const text = await a.page.evaluate((key) => window.raw(key, 'indexedDB'), key);
  assert.doesNotMatch(text, /"view"|商品/, 'view events deleted from IndexedDB');
  assert.match(text, /refund/, 'security data stays');
  // The other tab follows at once.
  await b.page.waitForFunction(() => !window.ids().includes('active') && window.tw.consent.get().personalization === false);
  assert.deepEqual(await b.page.evaluate(() => window.consentHeard), [{ personalization: false, source: 'tab' }]);
  assert.equal(await b.page.evaluate(() => window.tw.getProfile().events.filter((e) => e.type === 'view').length), 0);
  // And a reload keeps the choice.
  await b.page.reload();
  await b.page.waitForFunction(() => window.ready === true);
  await b.page.evaluate((key) => window.open_({ storageKey: key, purposes: undefined }), key);
  assert.equal(await b.page.evaluate(() => window.tw.consent.get().personalization), false);
  assert.equal(await b.page.evaluate(() => window.tw.track({ id: 'v9', type: 'view', ts: window.NOW }).withheld), 1);
  for (const p of [a, b]) await p.page.close();
});

test('forget() erases memory and storage in every tab; exportData() shows what was stored', async () => {
  const key = 'forget';
  const a = await tab();
  const b = await tab();
  await a.page.evaluate((key) => window.open_({ storageKey: key, storage: 'localStorage' }), key);
  await b.page.evaluate((key) => window.open_({ storageKey: key, storage: 'localStorage' }), key);
  await a.page.evaluate(async (events) => {
    window.tw.setProfile({ user_id: '用户-7', attributes: { 城市: '深圳' } });
    window.tw.trackMany(events);
    await window.tw.flush();
  }, views(4, 'f'));
  await b.page.waitForFunction(() => window.tw.getProfile().events.length === 4);
  const exported = await b.page.evaluate(() => window.tw.exportData());
  assert.equal(exported.storage.adapter, 'localStorage');
  assert.equal(exported.profile.userId, '用户-7');
  assert.equal(exported.profile.events.length, 4);
  assert.deepEqual(exported.tags.map((t) => t.name), ['高活跃用户', '浏览过']);

  await a.page.evaluate(() => window.tw.forget());
  const text = await a.page.evaluate((key) => window.raw(key, 'localStorage'), key);
  assert.doesNotMatch(text, /用户-7|深圳|商品|"view"/);
  await b.page.waitForFunction(() => window.tw.getProfile().events.length === 0 && window.ids().length === 0);
  // B writes after the forget: the erased generation wins, nothing comes back.
  await b.page.evaluate(() => window.tw.flush());
  assert.doesNotMatch(await b.page.evaluate((key) => window.raw(key, 'localStorage'), key), /用户-7|商品/);
  const after = await a.page.evaluate(() => window.tw.exportData());
  assert.deepEqual(after.profile.events, []);
  for (const p of [a, b]) await p.page.close();
});

test('a full localStorage: the runtime compacts, retries and reports; the store still loads with the right counts', async () => {
  const key = 'quota';
  const { page, problems } = await tab();
  // Fill the origin's quota, leaving about 16 KB.
  await page.evaluate(() => {
    localStorage.removeItem('filler');
    let chunk = 'x'.repeat(1 << 20);
    let filled = '';
    while (chunk.length >= 1024) {
      try {
        localStorage.setItem('filler', filled + chunk);
        filled += chunk;
      } catch {
        chunk = chunk.slice(0, chunk.length / 2);
      }
    }
    localStorage.setItem('filler', filled.slice(0, filled.length - 16 * 1024));
  });
  await page.evaluate((key) => window.open_({ storageKey: key, storage: 'localStorage' }), key);
  const n = 300;
  await page.evaluate(async (n) => {
    window.tw.trackMany(Array.from({ length: n }, (_, i) => ({ id: `q${i}`, type: 'view', ts: window.NOW - i * 3_600_000, props: { item: `商品-${i}`, note: '一些说明文字'.repeat(4) } })));
    await window.tw.flush();
  }, n);
  const diags = await page.evaluate(() => window.diags);
  assert.ok(diags.some((d) => d.code === 'quota_exceeded' && d.step === 'compacted'), JSON.stringify(diags));
  assert.ok(diags.every((d) => d.code === 'quota_exceeded'), JSON.stringify(diags));
  await page.reload();
  await page.waitForFunction(() => window.ready === true);
  await page.evaluate((key) => window.open_({ storageKey: key, storage: 'localStorage' }), key);
  const counted = await page.evaluate(() => {
    const p = window.tw.getProfile();
    return p.events.length + p.rollups.reduce((s, r) => s + r.count, 0);
  });
  assert.equal(counted, n, 'folded events are still counted in day summaries');
  assert.deepEqual(await page.evaluate(() => window.ids()), ['active', 'viewer']);
  await page.evaluate(() => localStorage.removeItem('filler'));
  assert.deepEqual(problems.filter((p) => !p.includes('storage is full')), []);
  await page.close();
});
