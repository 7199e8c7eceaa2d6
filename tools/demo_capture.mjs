#!/usr/bin/env node
// Screenshots of the demo for docs/demo.md and its first-load budgets, measured
// in headless Chromium (Debian's, via playwright-core) against the real demo
// server. Run after `bash tools/build.sh wasm-module`:
//
//   node tools/demo_capture.mjs            # writes docs/demo/*.png and docs/demo/budget.json
//   node tools/demo_capture.mjs --budget   # only the budgets (prints them)
//
// Budgets, Lighthouse-style: a cold first load of the storefront in a fresh
// browser profile, (a) unthrottled and (b) on Lighthouse's mobile profile (4x
// CPU slowdown, 150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up). Measured: bytes
// on the wire (all responses, compressed as sent), requests, and the time from
// navigation start to the first tags in the page's tag panel
// (performance mark "tagwise:first-tags", set by the storefront once the
// browser's own engine holds the visitor's tags; the server-rendered tags are
// visible from the first contentful paint, also reported) — medians of RUNS loads.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { BENCH_CHROMIUM_ARGS, pageValue } from '../bench/browser/chromium.mjs';
import { createDemoServer } from '../demo/server.mjs';

const OUT = fileURLToPath(new URL('../docs/demo/', import.meta.url));
const RUNS = 5;
/** The budgets docs/benchmarks.md reports against. */
export const BUDGETS = { bytes: 700_000, repeatBytes: 100_000, firstTagsMs: 1_500, firstTagsMobileMs: 5_000 };
const MOBILE = { cpu: 4, latency: 150, download: (1.6 * 1024 * 1024) / 8, upload: (750 * 1024) / 8 };

async function browser() {
  const dir = mkdtempSync(join(tmpdir(), 'tagwise-capture-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium', headless: true,
    args: BENCH_CHROMIUM_ARGS,
  });
  return { context, close: async () => { await context.close(); rmSync(dir, { recursive: true, force: true }); } };
}

/**
 * One load of `url` in a fresh browser profile: {bytes, requests, firstTagsMs,
 * wasmBytes, fcpMs}. Cold (cache disabled), or with `repeat` the second of two
 * loads in the same profile: a returning visitor, whose browser has the
 * content-hashed modules and .wasm cached as immutable and revalidates the rest.
 */
async function measuredLoad(url, throttle, { repeat = false } = {}) {
  const { context, close } = await browser();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    if (repeat) {
      await page.goto(url);
      await pageValue(cdp, "performance.getEntriesByName('tagwise:first-tags')[0]?.startTime", { what: 'the first visit' });
      await page.waitForLoadState('load');
      await page.waitForTimeout(500);
    } else {
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    }
    if (throttle) {
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false, latency: throttle.latency, downloadThroughput: throttle.download, uploadThroughput: throttle.upload,
      });
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle.cpu });
    }
    let bytes = 0;
    let requests = 0;
    let wasmBytes = 0;
    const urls = new Map();
    const onResponse = (e) => urls.set(e.requestId, e.response.url);
    const onFinished = (e) => {
      bytes += e.encodedDataLength;
      requests += 1;
      if (urls.get(e.requestId)?.endsWith('.wasm')) wasmBytes += e.encodedDataLength;
    };
    cdp.on('Network.responseReceived', onResponse);
    cdp.on('Network.loadingFinished', onFinished);
    await page.goto(url);
    const firstTagsMs = await pageValue(cdp, "performance.getEntriesByName('tagwise:first-tags')[0]?.startTime",
      { what: 'the tagwise:first-tags mark' });
    // The page keeps a sync channel to the server, so it never goes network-idle:
    // count what arrived by the load event plus a quiet second.
    await page.waitForLoadState('load');
    await page.waitForTimeout(1000);
    // The server-rendered tags are on screen from the first contentful paint.
    const fcpMs = await pageValue(cdp, "performance.getEntriesByName('first-contentful-paint')[0]?.startTime",
      { what: 'first-contentful-paint' });
    return { bytes, requests, wasmBytes, fcpMs: Math.round(fcpMs), firstTagsMs: Math.round(firstTagsMs) };
  } finally {
    await close();
  }
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1];
}

export async function measureBudgets(baseUrl) {
  const result = {};
  for (const [name, throttle, repeat] of [['desktop', null, false], ['mobile', MOBILE, false],
    ['desktopRepeat', null, true], ['mobileRepeat', MOBILE, true]]) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await measuredLoad(baseUrl, throttle, { repeat }));
    result[name] = {
      bytes: runs[0].bytes, wasmBytes: runs[0].wasmBytes, requests: runs[0].requests,
      fcpMs: median(runs.map((r) => r.fcpMs)),
      firstTagsMs: median(runs.map((r) => r.firstTagsMs)), runs: runs.map((r) => r.firstTagsMs),
    };
  }
  return result;
}

async function screenshots(baseUrl) {
  const { context, close } = await browser();
  try {
    const shot = async (page, name) => page.screenshot({ path: join(OUT, `${name}.png`), fullPage: false });
    const ready = (page) => page.waitForFunction(() => window.__shop?.ready === true || window.__shop?.failed === true);
    const desktop = await context.newPage();
    await desktop.setViewportSize({ width: 1280, height: 900 });
    // A visitor who accepts personalisation and looks at three game cards.
    await desktop.goto(baseUrl);
    await ready(desktop);
    await desktop.click('#consent-banner [data-consent="all"]');
    await desktop.waitForFunction(() => window.__shop.sync.pending === false);
    for (const item of ['D-STEAM-10', 'D-GENSHIN-MOON', 'D-HONOR-600']) {
      await desktop.goto(`${baseUrl}product/${item}`);
      await ready(desktop);
      await desktop.waitForFunction(() => window.__shop.sync.pending === false);
    }
    await shot(desktop, 'storefront-product');
    await desktop.goto(baseUrl);
    await ready(desktop);
    await desktop.click('#tag-list button.why[data-why="gamer"]');
    await shot(desktop, 'storefront');
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 375, height: 812 });
    await phone.goto(`${baseUrl}product/D-STEAM-25`);
    await ready(phone);
    await shot(phone, 'storefront-phone');
    await phone.close();

    await desktop.goto(`${baseUrl}console#builder`);
    await desktop.waitForSelector('body[data-ready=true]');
    await desktop.waitForSelector('.rb-preview[data-state=ready]');
    await desktop.selectOption('#rb-tag', 'win_back_target');
    await desktop.waitForSelector('.rb-preview[data-state=ready]');
    await shot(desktop, 'console-builder');
    await desktop.click('#tab-hygiene');
    await desktop.waitForFunction(() => (window.__insights?.runs ?? 0) >= 1);
    await desktop.waitForTimeout(1200); // the chart animates in
    await shot(desktop, 'console-hygiene');
    await desktop.click('#tab-experiments');
    await desktop.selectOption('#exp-tag-A', 'lc_active');
    await desktop.fill('#exp-rule-B', 'events(order_paid, within 90d) >= 3');
    await desktop.click('#exp-run');
    await desktop.waitForFunction(() => (window.__insights?.experiment?.runs ?? 0) >= 1);
    await desktop.waitForTimeout(1200);
    // The report (with the chart below it), not the form.
    await desktop.evaluate(() => document.getElementById('exp-winner').scrollIntoView({ block: 'start' }));
    await shot(desktop, 'console-experiments');
    await desktop.evaluate(() => window.scrollTo(0, 0));
    await desktop.click('#tab-offers');
    await desktop.waitForSelector('#panel-offers[data-runs] #offers-table');
    await shot(desktop, 'console-offers');
  } finally {
    await close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const demo = await createDemoServer({ port: 0 });
  try {
    if (!process.argv.includes('--budget')) await screenshots(demo.url);
    const budgets = await measureBudgets(demo.url);
    const report = { measuredAt: new Date().toISOString(), budgets: BUDGETS, ...budgets };
    if (!process.argv.includes('--budget')) writeFileSync(join(OUT, 'budget.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await demo.close();
  }
}
