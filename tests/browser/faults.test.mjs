// Browser faults (issue 9): what a real headless Chromium does to the runtime
// when a tab dies in the middle of a write, when the user clears the site's
// storage under an open tab, and when two tabs share offer caps. (A full
// localStorage and two tabs writing at once are in runtime.test.mjs.)
//
// A write "in flight" is made certain rather than hoped for: another tab
// holds a readwrite transaction on the object store (a chain of requests
// keeps it alive), so the runtime's read-merge-write transaction is queued
// in IndexedDB until the test lets go. Nothing here sleeps: every wait is for
// a condition (page.waitForFunction, a page event), and no assertion is
// about time.
//
// Invariants asserted after every fault: the store loads without an
// exception and without a damage report; it holds exactly the events whose
// write committed (plus what the synchronous unload copy saved), each once;
// the tags computed from it are right; and tracking then goes on and persists.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchChromium, openPage, READ_RAW_STORE, startServer } from './support.mjs';

const NOW = Date.UTC(2026, 10, 20, 8); // 16:00 in UTC+8: outside the offers' quiet hours
const CN = 480;

const CATALOG = {
  tagwise: 1,
  tags: [
    { id: 'viewer', name: '浏览过', purpose: 'personalization', when: { '>=': [{ events: [{ type: 'view' }] }, 1] } },
    { id: 'heavy', name: '重度浏览', purpose: 'personalization', when: { '>=': [{ events: [{ type: 'view' }] }, 100] } },
    { id: 'new_user', name: '新用户', purpose: 'personalization', when: { '==': [{ events: [{ type: 'order_paid' }] }, 0] } },
  ],
};

const OFFERS = {
  dailyCap: 3,
  quietHours: { start: '22:00', end: '08:00' },
  offers: [
    { id: 'flash', name: '限时秒杀', priority: 9, caps: { perDay: 1, total: 3 } },
    { id: 'welcome', name: '新人专享券', audience: { tag: ['new_user'] }, priority: 8, once: 'redeemed' },
    { id: 'vip', name: '加入会员群', priority: 5 },
    { id: 'push', name: '推送', priority: 1 },
  ],
};

// The page loads the package; the tests drive it with page.evaluate.
const PAGE = `<!doctype html><html lang="zh"><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body>
<script type="module">
import * as tagwise from '/js/index.js';
window.tagwise = tagwise;
window.NOW = ${NOW};
window.diags = [];
window.open_ = async (opts = {}) => {
  window.tw = await tagwise.createTagwise({
    catalog: ${JSON.stringify(CATALOG)}, clock: () => window.NOW, timeZoneOffset: ${CN},
    purposes: ['necessary', 'security', 'personalization', 'marketing'],
    onError: (d) => window.diags.push({ code: d.code, message: d.message }),
    ...opts, storage: opts.storage === 'localStorage' ? tagwise.webStorage() : opts.storage,
  });
  return window.tw.storage;
};
window.eventIds = () => window.tw.getProfile().events.map((e) => e.id).sort();
window.tagIds = () => window.tw.tags().map((t) => t.id);
// The raw stored text, read straight from IndexedDB or localStorage.
${READ_RAW_STORE}
// Holds a readwrite transaction on the runtime's object store until
// release(): every other tab's write to it waits in IndexedDB meanwhile.
window.hold = () => new Promise((resolve, reject) => {
  const r = indexedDB.open('tagwise');
  r.onsuccess = () => {
    const db = r.result;
    const tx = db.transaction('kv', 'readwrite');
    const store = tx.objectStore('kv');
    let held = true;
    const spin = () => { store.get('-').onsuccess = () => { if (held) spin(); }; };
    spin();
    window.released = new Promise((done) => { tx.oncomplete = () => { db.close(); done(); }; });
    window.release = () => { held = false; return window.released; };
    resolve();
  };
  r.onerror = () => reject(r.error);
});
window.ready = true;
</script></body></html>`;

// support.mjs's launchChromium() on a profile directory kept until the end:
// one test shuts the browser down and starts
// it again on the same profile (the other tests then use the new one).
const profile = mkdtempSync(join(tmpdir(), 'tagwise-chromium-'));
const launch = () => launchChromium(profile);

let server;
let context;

before(async () => {
  server = await startServer({ routes: { '/faults.html': PAGE } });
  context = await launch();
});

after(async () => {
  await context?.close();
  rmSync(profile, { recursive: true, force: true });
  await server?.close();
});

// A guard against hangs, not a timed assertion: a failed test must not
// leave a tab holding the object store, so every tab is closed after its test.
const LIMIT = { timeout: 90_000 };

async function tab(t) {
  const opened = await openPage(context, `${server.baseUrl}/faults.html`, { waitFor: () => window.ready === true });
  t.after(() => opened.page.close().catch(() => {}));
  return opened;
}

const views = (n, prefix) => Array.from({ length: n }, (_, i) => ({
  id: `${prefix}${i}`, type: 'view', ts: NOW - i * 60_000, props: { item: `商品${i}`, note: '一些说明文字' },
}));
const ids = (events) => events.map((e) => e.id).sort();
const eventLines = (text) => text.split('\n').filter((l) => l.startsWith('E ')).length;

/**
 * Tab A writes 50 events (committed), then tracks 150 more and starts their
 * write while tab B holds the object store, so that write is queued in
 * IndexedDB, not committed. Returns the tabs and the two batches.
 */
async function writeStuckBehindAnotherTab(t, key) {
  const committed = views(50, 'a');
  const stuck = views(150, 'b');
  const a = await tab(t);
  // A long debounce: only explicit flushes (and pagehide) write.
  await a.page.evaluate((key) => window.open_({ storageKey: key, flushDelay: 600_000 }), key);
  await a.page.evaluate((events) => { window.tw.trackMany(events); return window.tw.flush(); }, committed);
  assert.equal(eventLines(await a.page.evaluate((key) => window.raw(key), key)), 50);
  const b = await tab(t);
  await b.page.evaluate(() => window.hold());
  await a.page.evaluate((events) => {
    window.tw.trackMany(events);
    window.written = false;
    window.tw.flush().then(() => { window.written = true; });
  }, stuck);
  // The write has started (it no longer counts as a pending change) and
  // cannot finish while B holds the store.
  assert.equal(await a.page.evaluate(() => window.written), false);
  return { a, b, committed, stuck };
}

/**
 * Opens a fresh tab on `key` and checks the invariants; returns the tab.
 * `outcomes`: the event lists the store may hold (one, or all-or-nothing).
 */
async function reopenAndCheck(t, key, ...outcomes) {
  const c = await tab(t);
  await c.page.evaluate((key) => window.open_({ storageKey: key }), key);
  assert.deepEqual(await c.page.evaluate(() => window.diags), [], 'the store loads cleanly: nothing damaged, nothing unreadable');
  const held = await c.page.evaluate(() => window.eventIds());
  const expected = outcomes.find((events) => events.length === held.length) ?? outcomes[0];
  assert.deepEqual(held, ids(expected));
  assert.equal(new Set(held).size, held.length, 'nothing counted twice');
  assert.deepEqual(await c.page.evaluate(() => window.tagIds()), expected.length >= 100 ? ['viewer', 'heavy', 'new_user'] : ['viewer', 'new_user']);
  const exported = await c.page.evaluate(() => window.tw.exportData());
  assert.equal(exported.profile.events.length, expected.length, 'exportData() reads the same count back from storage');
  assert.equal(await c.page.evaluate((key) => localStorage.getItem(`${key}:unload`), key), null, 'the unload copy is merged, then removed');
  // Tracking goes on, and is written.
  await c.page.evaluate(() => { window.tw.track({ id: 'later', type: 'view', ts: window.NOW }); return window.tw.flush(); });
  const text = await c.page.evaluate((key) => window.raw(key), key);
  assert.ok(text.endsWith(` ${expected.length + 1}\n`) && text.includes('"later"'), 'the next write holds every event and the new one');
  assert.deepEqual(await c.page.evaluate(() => window.diags), []);
  return c;
}

test('IndexedDB: a tab closed while its write is queued keeps every event through the unload copy, each once', LIMIT, async (t) => {
  const key = 'closed-mid-write';
  const { a, b, committed, stuck } = await writeStuckBehindAnotherTab(t, key);
  // Closing runs pagehide (no beforeunload prompt); the queued transaction dies with the tab.
  await a.page.close({ runBeforeUnload: false });
  const copy = await b.page.evaluate((key) => localStorage.getItem(`${key}:unload`), key);
  assert.ok(copy !== null, 'pagehide copied the state to localStorage although the pending change was already being written');
  assert.equal(eventLines(copy), 200);
  await b.page.evaluate(() => window.release());
  assert.equal(eventLines(await b.page.evaluate((key) => window.raw(key), key)), 50, 'the queued write never committed');

  const c = await reopenAndCheck(t, key, [...committed, ...stuck]);
  assert.match(await c.page.evaluate((key) => window.raw(key), key), /\nEND [0-9a-f]{8} 201\n$/);
  for (const p of [a, b, c]) assert.deepEqual(p.problems, []);
});

test('IndexedDB: a tab killed (renderer crash) while its write is queued leaves exactly the committed events', LIMIT, async (t) => {
  const key = 'crashed-mid-write';
  const { a, b, committed } = await writeStuckBehindAnotherTab(t, key);
  const cdp = await context.newCDPSession(a.page);
  const crashed = new Promise((resolve) => a.page.once('crash', resolve));
  cdp.send('Page.crash').catch(() => {}); // never answers: the renderer is gone
  await crashed;
  await a.page.close();
  // No pagehide ran, so there is no unload copy: what was not committed is lost, and only that.
  assert.equal(await b.page.evaluate((key) => localStorage.getItem(`${key}:unload`), key), null);
  await b.page.evaluate(() => window.release());

  const c = await reopenAndCheck(t, key, committed);
  for (const p of [b, c]) assert.deepEqual(p.problems, []);
});

test('IndexedDB: the browser shut down while a write is queued; after a restart on the same profile the store loads all-or-nothing', LIMIT, async (t) => {
  const key = 'shutdown-mid-write';
  const { committed, stuck } = await writeStuckBehindAnotherTab(t, key);
  const closing = context;
  context = null;
  await closing.close(); // every tab goes at once; no pagehide runs
  context = await launch();
  // One transaction: the queued write is either wholly there or wholly absent.
  const c = await reopenAndCheck(t, key, committed, [...committed, ...stuck]);
  assert.deepEqual(c.problems, []);
});

// Clearing the site's storage is not forget(). forget() is the erasure that
// reaches open tabs (the BroadcastChannel, and the generation id left in the
// store). A clear done by the browser leaves nothing behind. An open tab
// still holds the visitor's session in memory and shows tags from it. It
// writes the session back with its next write (a tracked event, a consent
// change, pagehide with changes pending), like a tab that has not yet seen
// the store. A tab with nothing to write does not put anything back. So after
// the clear, a reload shows either an empty store or exactly the open tab's
// memory, each event once, and never a write error.
const CLEARS = [
  {
    name: 'the site\'s data cleared by the browser (CDP Storage.clearDataForOrigin, as "Clear site data")',
    storage: undefined,
    clear: async (page) => {
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Storage.clearDataForOrigin', { origin: server.baseUrl, storageTypes: 'indexeddb,local_storage' });
      await cdp.detach();
    },
  },
  {
    name: 'the IndexedDB database deleted from another tab',
    storage: undefined,
    clear: (page) => page.evaluate(() => new Promise((resolve, reject) => {
      const r = indexedDB.deleteDatabase('tagwise');
      r.onsuccess = () => resolve();
      r.onerror = () => reject(r.error);
      r.onblocked = () => reject(new Error('blocked: an open tab kept its connection'));
    })),
  },
  {
    name: 'localStorage.clear() from another tab (localStorage adapter)',
    storage: 'localStorage',
    clear: (page) => page.evaluate(() => localStorage.clear()),
  },
];

for (const [i, { name, storage, clear }] of CLEARS.entries()) {
  test(`storage cleared while tabs are open: ${name}`, LIMIT, async (t) => {
    const key = `cleared-${i}`;
    const where = storage ?? 'indexedDB';
    const open = (page) => page.evaluate(({ key, storage }) => window.open_({ storageKey: key, storage, flushDelay: 600_000 }), { key, storage });
    const a = await tab(t);
    const b = await tab(t);
    assert.equal((await open(a.page)).adapter, where);
    await open(b.page);
    const before = views(5, 'c');
    await a.page.evaluate((events) => { window.tw.trackMany(events); return window.tw.flush(); }, before);
    await b.page.waitForFunction(() => window.tw.getProfile().events.length === 5);

    // B, another page of the origin, clears (B's own runtime is open too).
    await clear(b.page);
    assert.equal(await b.page.evaluate(({ key, where }) => window.raw(key, where), { key, where }), null);

    // B has nothing to write: its reload finds the store empty and puts nothing back.
    await b.page.reload();
    await b.page.waitForFunction(() => window.ready === true);
    await open(b.page);
    assert.deepEqual(await b.page.evaluate(() => window.eventIds()), []);
    assert.deepEqual(await b.page.evaluate(() => window.tagIds()), ['new_user']);
    assert.deepEqual(await b.page.evaluate(() => window.diags), []);

    // A never reloaded: it keeps working on its memory and its next write succeeds.
    assert.deepEqual(await a.page.evaluate(() => window.tagIds()), ['viewer', 'new_user']);
    await a.page.evaluate(() => { window.tw.track({ id: 'after', type: 'view', ts: window.NOW }); return window.tw.flush(); });
    assert.deepEqual(await a.page.evaluate(() => window.diags), [], 'no write error after the clear');
    const expected = ids([...before, { id: 'after' }]);
    assert.equal(eventLines(await a.page.evaluate(({ key, where }) => window.raw(key, where), { key, where })), 6,
      'A wrote its memory back');

    // Every tab now loads A's session, each event once; tracking goes on.
    await b.page.reload();
    await b.page.waitForFunction(() => window.ready === true);
    await open(b.page);
    assert.deepEqual(await b.page.evaluate(() => window.eventIds()), expected);
    assert.deepEqual(await b.page.evaluate(() => window.diags), []);
    const exported = await b.page.evaluate(() => window.tw.exportData());
    assert.equal(exported.profile.events.length, 6);
    await b.page.evaluate(() => { window.tw.track({ id: 'more', type: 'view', ts: window.NOW }); return window.tw.flush(); });
    await a.page.waitForFunction(() => window.tw.getProfile().events.length === 7);
    await a.page.reload();
    await a.page.waitForFunction(() => window.ready === true);
    await open(a.page);
    assert.deepEqual(await a.page.evaluate(() => window.eventIds()), [...expected, 'more'].sort());
    assert.deepEqual(await a.page.evaluate(() => window.diags), []);

    for (const p of [a, b]) assert.deepEqual(p.problems, []);
  });
}

test('offers: caps recorded in one tab hold in the other at once, and records made in both tabs at the same moment count once', LIMIT, async (t) => {
  const key = 'offers';
  const open = (page) => page.evaluate(async ({ key, offers }) => {
    await window.open_({ storageKey: key, flushDelay: 20 });
    await window.tw.ready('offers');
    window.tw.offers.load(offers);
    window.eligibleIds = () => window.tw.offers.eligible().map((o) => o.id);
    window.why = (id) => window.tw.offers.eligible().ineligible.find((o) => o.id === id)?.reasons ?? [];
    window.records = () => window.tw.offers.history().map((r) => `${r.offer}:${r.action}`).sort();
  }, { key, offers: OFFERS });
  const a = await tab(t);
  const b = await tab(t);
  await open(a.page);
  await open(b.page);
  for (const p of [a, b]) assert.deepEqual(await p.page.evaluate(() => window.eligibleIds()), ['flash', 'welcome', 'vip']);

  // Shown in A (per-day cap 1): B stops offering it without a reload.
  assert.equal(await a.page.evaluate(() => window.tw.offers.record('flash', 'shown').recorded), true);
  await b.page.waitForFunction(() => !window.eligibleIds().includes('flash'));
  assert.deepEqual(await b.page.evaluate(() => window.why('flash')), ['cap_day']);
  assert.deepEqual(await b.page.evaluate(() => window.records()), ['flash:shown']);

  // Redeemed in B (once per user): A stops offering it.
  await b.page.evaluate(() => window.tw.offers.record('welcome', 'redeemed'));
  await a.page.waitForFunction(() => !window.eligibleIds().includes('welcome'));
  assert.ok((await a.page.evaluate(() => window.why('welcome'))).includes('once'));

  // Both tabs record in the same moment; the daily cap of 3 shown is then reached in both.
  await Promise.all([
    a.page.evaluate(() => window.tw.offers.record('vip', 'shown')),
    b.page.evaluate(() => window.tw.offers.record('push', 'shown')),
  ]);
  const all = ['flash:shown', 'push:shown', 'vip:shown', 'welcome:redeemed'];
  for (const p of [a, b]) {
    await p.page.waitForFunction((n) => window.records().length === n, all.length);
    assert.deepEqual(await p.page.evaluate(() => window.records()), all, 'nothing lost, nothing counted twice');
    assert.deepEqual(await p.page.evaluate(() => window.eligibleIds()), []);
    assert.ok((await p.page.evaluate(() => window.why('push'))).includes('daily_cap'));
  }

  // A new tab reads the same caps from storage.
  await Promise.all([a.page.evaluate(() => window.tw.flush()), b.page.evaluate(() => window.tw.flush())]);
  const c = await tab(t);
  await open(c.page);
  assert.deepEqual(await c.page.evaluate(() => window.records()), all);
  assert.deepEqual(await c.page.evaluate(() => window.eligibleIds()), []);
  for (const p of [a, b, c]) {
    assert.deepEqual(await p.page.evaluate(() => window.diags), []);
    assert.deepEqual(p.problems, []);
  }
});
