// The SSR hand-off end to end: the demo server (demo/ssr/server.mjs) renders
// the product page in Node with an injected clock, headless Chromium loads it,
// the client hydrates from the embedded state and must compute the same tags
// without touching the server-rendered badges (watched by a MutationObserver
// installed before the client script runs), with no console errors.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createSsrServer } from '../../demo/ssr/server.mjs';
import { launchBrowser, openPage } from './support.mjs';

const NOW = Date.UTC(2026, 10, 20, 4);
const VISITORS = ['xiaowang', 'lihua', 'zhang', 'wang', 'mallory', ''];

// Runs in the page before its scripts. readyState turns "interactive" when
// parsing is done and before deferred/module scripts (client.js) run: the
// badges and banner exist then and nothing has touched them yet.
const WATCH = `
window.__mutations = [];
document.addEventListener('readystatechange', () => {
  if (document.readyState !== 'interactive') return;
  const watched = ['tw-badges', 'tw-banner'].map((id) => document.getElementById(id));
  window.__watch = {
    clientHadRun: window.__ssr !== undefined,
    found: watched.every(Boolean),
    html: watched.map((el) => el && el.innerHTML),
    nodes: watched.map((el) => el ? [...el.querySelectorAll('*')] : []),
  };
  const observer = new MutationObserver((records) => {
    for (const r of records) window.__mutations.push(r.type + ' on ' + (r.target.id || r.target.nodeName));
  });
  for (const el of watched) if (el) observer.observe(el, { childList: true, subtree: true, characterData: true, attributes: true });
  window.__observer = observer;
});`;

let app;
let browser;
let serverNow = NOW;

before(async () => {
  app = await createSsrServer({ port: 0, clock: () => serverNow });
  browser = await launchBrowser();
  await browser.context.addInitScript(WATCH);
  // The visitor's browser opens the page two seconds after the server
  // rendered it; its clock then runs on (the runtime's storage needs time to pass).
  await browser.context.clock.install({ time: NOW + 2000 });
});

after(async () => {
  await browser?.close();
  await app?.close();
});

/** The state the server embedded for a visitor, read from the HTML in Node. */
async function serverState(user) {
  const html = await (await fetch(`${app.url}?user=${encodeURIComponent(user)}`)).text();
  const m = /<script type="application\/json" id="tagwise-state">([^<]*)<\/script>/.exec(html);
  assert.ok(m, 'the page embeds the state');
  return { html, state: JSON.parse(m[1]) };
}

async function visit(user) {
  const { page, problems } = await openPage(browser.context, `${app.url}?user=${encodeURIComponent(user)}`, {
    waitFor: () => window.__ssr !== undefined,
  });
  const seen = await page.evaluate(() => {
    const pending = window.__observer ? window.__observer.takeRecords().length : 0;
    return {
      ssr: window.__ssr,
      tags: window.__tagwise ? window.__tagwise.tags().map((t) => [t.id, t.value]) : null,
      watch: { clientHadRun: window.__watch?.clientHadRun, found: window.__watch?.found, html: window.__watch?.html },
      mutations: window.__mutations.length + pending,
      sameNodes: ['tw-badges', 'tw-banner'].every((id, i) => {
        const now = [...document.getElementById(id).querySelectorAll('*')];
        const then = window.__watch.nodes[i];
        return now.length === then.length && now.every((n, k) => n === then[k]);
      }),
      html: ['tw-badges', 'tw-banner'].map((id) => document.getElementById(id).innerHTML),
      pwned: window.__pwned,
      scripts: document.querySelectorAll('script').length,
      visitor: document.getElementById('visitor').textContent,
    };
  });
  return { page, problems, seen };
}

test('every demo visitor: the browser computes the server\'s tags and never re-renders the badges', async () => {
  for (const user of VISITORS) {
    const { html, state } = await serverState(user);
    const { page, problems, seen } = await visit(user);
    const who = user || '(guest)';

    assert.equal(seen.ssr.errors.length, 0, `${who}: ${JSON.stringify(seen.ssr.errors)}`);
    assert.equal(seen.ssr.hydrated, true, who);
    assert.deepEqual(seen.ssr.mismatches, [], who);
    assert.equal(seen.ssr.changed, false, who);
    assert.deepEqual(seen.ssr.tags, state.tags, `${who}: the browser's tags are the server's`);
    assert.deepEqual(seen.tags, state.tags, `${who}: tw.tags() in the page`);

    assert.deepEqual(seen.watch, {
      clientHadRun: false, found: true, html: seen.html,
    }, `${who}: the observer was watching the server's markup before client.js ran`);
    assert.equal(seen.mutations, 0, `${who}: badges and banner were never touched`);
    assert.equal(seen.sameNodes, true, `${who}: the server's nodes are still the ones in the page`);
    assert.ok(html.includes(`<ul id="tw-badges">${seen.html[0]}</ul>`), `${who}: the DOM is the server's HTML`);
    assert.deepEqual(problems, [], `${who}: no console errors or warnings`);
    await page.close();
  }
});

test('a hostile visitor (</script>, U+2028 in profile and tag values) cannot break out of the page', async () => {
  const { state } = await serverState('mallory');
  assert.ok(state.tags.some(([id, v]) => id === 'member' && v.includes('</script>')), 'the hostile text is a tag value');
  const { page, problems, seen } = await visit('mallory');
  assert.equal(seen.pwned, undefined, 'no injected script ran');
  assert.equal(seen.scripts, 2, 'only the state element and client.js');
  assert.ok(seen.visitor.startsWith('Mallory </script><script>'), 'shown as text');
  assert.equal(seen.ssr.hydrated, true);
  assert.deepEqual(seen.ssr.tags, state.tags);
  assert.deepEqual(problems, []);
  await page.close();
});

test('after hydration the page stays live: a tracked event updates badges and banner', async () => {
  const { page, problems, seen } = await visit('zhang');
  assert.equal(seen.ssr.changed, false);
  await page.click('#add-to-cart');
  await page.waitForFunction(() => window.__ssr.liveUpdates > 0);
  const after = await page.evaluate(() => ({
    tags: window.__ssr.tags.map(([id]) => id),
    badges: [...document.querySelectorAll('#tw-badges .badge')].map((b) => b.dataset.tag),
  }));
  assert.ok(after.tags.includes('cart_waiting'), JSON.stringify(after));
  assert.deepEqual(after.badges, after.tags);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a browser with another catalog (deploy skew) detects it and renders its own tags', async () => {
  const catalog = JSON.parse(await (await fetch(`${app.url}catalog.json`)).text());
  const puer = catalog.tags.find((t) => t.id === 'puer_fan');
  puer.when = { '>=': [{ events: [{ type: 'view', within: '30d', where: { '==': [{ var: 'category' }, '普洱'] } }] }, 5] };
  const handler = (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify(catalog) });
  await browser.context.route('**/catalog.json', handler);
  try {
    const { state } = await serverState('lihua');
    assert.ok(state.tags.some(([id]) => id === 'puer_fan'));
    const { page, problems, seen } = await visit('lihua');
    assert.equal(seen.ssr.hydrated, true, JSON.stringify(seen.ssr.errors));
    assert.equal(seen.ssr.catalogMismatch, typeof state.fingerprint === 'string', 'detected by the fingerprint');
    assert.deepEqual(seen.ssr.mismatches, [{ id: 'puer_fan', server: true, browser: undefined }]);
    assert.equal(seen.ssr.changed, true);
    assert.deepEqual(seen.ssr.tags, state.tags.filter(([id]) => id !== 'puer_fan'));
    assert.ok(seen.mutations > 0 && !seen.html[0].includes('puer_fan'), 'the badges were re-rendered');
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    await browser.context.unroute('**/catalog.json', handler);
  }
});

test('events stored in this browser that the server has not seen are merged and reported (persistence + union)', async () => {
  const first = await visit('zhang');
  await first.page.click('#add-to-cart');
  await first.page.waitForFunction(() => window.__ssr.liveUpdates > 0);
  await first.page.evaluate(() => window.__tagwise.flush());
  assert.deepEqual(first.problems, []);
  // The next page is rendered a second after the event happened (the browser
  // then runs a second behind the server, a usual clock skew).
  serverNow = await first.page.evaluate(() => Date.now()) + 1000;
  await first.page.close();

  const { state } = await serverState('zhang');
  assert.ok(!state.tags.some(([id]) => id === 'cart_waiting'), 'the server never saw the cart event');
  const { page, problems, seen } = await visit('zhang');
  assert.equal(seen.ssr.hydrated, true, JSON.stringify(seen.ssr.errors));
  assert.deepEqual(seen.ssr.mismatches.filter((m) => m.id === 'cart_waiting'), [{ id: 'cart_waiting', server: undefined, browser: true }]);
  assert.equal(seen.ssr.changed, true);
  assert.ok(seen.html[0].includes('data-tag="cart_waiting"'));
  assert.deepEqual(problems, []);
  await page.close();
  reloaded = seen;
});

let reloaded;
test('... and that stored event is the only difference (attributes survive the reload and the union)', () => {
  assert.ok(reloaded, 'runs after the test above');
  assert.deepEqual(reloaded.ssr.mismatches, [{ id: 'cart_waiting', server: undefined, browser: true }]);
});
