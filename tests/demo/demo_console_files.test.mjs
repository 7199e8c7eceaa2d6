// The operator console's catalog files (保存目录 / 载入目录) and the
// storefront's first-load byte budget (docs/benchmarks.md, "First load of
// the demo storefront"), in headless Chromium against the real demo server.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { createDemoServer } from '../../demo/server.mjs';
import { BUDGETS } from '../../tools/demo_capture.mjs';
import { launchBrowser } from '../browser/support.mjs';

let demo;
let browser;
const dir = mkdtempSync(join(tmpdir(), 'tagwise-console-files-'));

before(async () => {
  demo = await createDemoServer({ port: 0 });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await demo?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('operator console: catalog files', () => {
  it('saves the catalog being edited as JSON and loads a catalog file, reporting its errors', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${demo.url}console`);
    await page.waitForSelector('body[data-ready=true]');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#catalog-save')]);
    const saved = JSON.parse(readFileSync(await download.path(), 'utf8'));
    assert.equal(download.suggestedFilename(), 'tagwise-catalog.json');
    assert.deepEqual(saved, await page.evaluate(() => window.__console.getCatalog()));
    assert.ok(saved.tags.some((t) => t.id === 'frequent_buyer'));

    const mine = {
      tagwise: 1,
      tags: [
        { id: 'vip', name: '贵宾', when: { '>=': [{ events: [{ type: 'order_paid', agg: 'sum', field: 'amount' }] }, 1000] } },
        { id: 'orphan', name: '孤儿', parent: 'no_such_parent', when: true },
      ],
    };
    const file = join(dir, '我的目录.json');
    writeFileSync(file, JSON.stringify(mine));
    await page.setInputFiles('#catalog-load', file);
    await page.waitForFunction(() => window.__console.getCatalog().tags[0]?.id === 'vip');
    assert.match(await page.textContent('#console-status'), /已载入 我的目录\.json：2 个标签，1 个错误/);
    // The builder's tag list follows the loaded catalog.
    assert.deepEqual(await page.$$eval('#rb-tag option', (os) => os.map((o) => o.value).filter((v) => v === 'vip' || v === 'orphan')), ['vip', 'orphan']);

    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"tags": [');
    await page.setInputFiles('#catalog-load', broken);
    await page.waitForFunction(() => document.getElementById('console-status').textContent.includes('broken.json'));
    assert.match(await page.textContent('#console-status'), /无法载入 broken\.json/);
    assert.equal(await page.evaluate(() => window.__console.getCatalog().tags[0].id), 'vip', 'a bad file leaves the catalog alone');
    await page.close();
  });
});

describe('storefront first load', () => {
  it('stays within the byte budget (all responses as sent, cold cache)', async () => {
    const page = await browser.context.newPage();
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    let bytes = 0;
    cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
    await page.goto(demo.url);
    await page.waitForFunction(() => performance.getEntriesByName('tagwise:first-tags').length > 0);
    await page.waitForLoadState('load');
    assert.ok(bytes > 100_000, `${bytes} bytes: the .wasm was counted`);
    assert.ok(bytes <= BUDGETS.bytes, `first load ${bytes} B over the ${BUDGETS.bytes} B budget`);
    await page.close();
  });

  it('a returning visitor revalidates: the second load transfers at most 100 KB, the .wasm nothing but headers', async () => {
    const page = await browser.context.newPage();
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.clearBrowserCache'); // the first visit starts cold
    const load = async () => {
      const urls = new Map();
      let bytes = 0;
      let wasmBytes = 0;
      const onRequest = (e) => urls.set(e.requestId, e.request.url);
      const onFinished = (e) => {
        bytes += e.encodedDataLength;
        if (urls.get(e.requestId)?.endsWith('.wasm')) wasmBytes += e.encodedDataLength;
      };
      cdp.on('Network.requestWillBeSent', onRequest);
      cdp.on('Network.loadingFinished', onFinished);
      await page.goto(demo.url);
      await page.waitForFunction(() => performance.getEntriesByName('tagwise:first-tags').length > 0);
      await page.waitForLoadState('load');
      // The features module (fetched after the first tags) counts too.
      await page.waitForFunction(() => performance.getEntriesByType('resource')
        .some((e) => e.name.endsWith('/tagwise_features.wasm') && e.responseEnd > 0));
      await page.evaluate(() => new Promise((resolve) => { setTimeout(resolve, 200); }));
      cdp.off('Network.requestWillBeSent', onRequest);
      cdp.off('Network.loadingFinished', onFinished);
      return { bytes, wasmBytes };
    };
    const first = await load();
    const second = await load();
    assert.ok(first.wasmBytes > 200_000, `first load: ${first.wasmBytes} B of .wasm`);
    assert.ok(second.bytes <= BUDGETS.repeatBytes, `second load ${second.bytes} B over ${BUDGETS.repeatBytes} B`);
    assert.ok(second.wasmBytes <= 2_000, `second load: ${second.wasmBytes} B of .wasm (a 304 or the cache)`);
    await page.close();
  });
});
