// Shared harness of the Chromium tests: a static server over the repo (and
// ../shared under /__shared/) with per-test routes, and a headless Debian
// Chromium driven by playwright-core. Each test file starts its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const SHARED = fileURLToPath(new URL('../../../shared/', import.meta.url));
export const TYPES = {
  '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm',
  '.json': 'application/json', '.html': 'text/html; charset=utf-8', '.css': 'text/css',
};

function resolveUnder(root, urlPath) {
  const file = normalize(join(root, decodeURIComponent(urlPath)));
  return file.startsWith(root.endsWith(sep) ? root : root + sep) ? file : null;
}

/**
 * Starts a static server on 127.0.0.1. `routes` maps a path to either an
 * HTML string, or a function (req, res, url) that handles the request.
 * Extra static roots: { '/bundle/': '/tmp/dir' }.
 */
export async function startServer({ routes = {}, roots = {}, headers = {} } = {}) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const route = routes[url.pathname];
    try {
      if (typeof route === 'function') {
        await route(req, res, url);
        return;
      }
      if (typeof route === 'string') {
        res.writeHead(200, { 'content-type': TYPES['.html'], ...headers });
        res.end(route);
        return;
      }
      let file = null;
      const root = Object.keys(roots).find((prefix) => url.pathname.startsWith(prefix));
      if (root !== undefined) file = resolveUnder(roots[root], url.pathname.slice(root.length));
      else if (url.pathname.startsWith('/__shared/')) file = resolveUnder(SHARED, url.pathname.slice('/__shared/'.length));
      else file = resolveUnder(REPO, url.pathname.slice(1));
      if (file === null) throw new Error('outside root');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', ...headers });
      res.end(body);
    } catch {
      if (!res.headersSent) res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${server.address().port}`;
  return { server, baseUrl, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** Debian's headless Chromium on the profile directory `userDataDir` (kept by the caller). */
export function launchChromium(userDataDir) {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** A headless Chromium with its own profile directory (real IndexedDB / localStorage). */
export async function launchBrowser() {
  const userDataDir = mkdtempSync(join(tmpdir(), 'tagwise-chromium-'));
  const context = await launchChromium(userDataDir);
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Opens a page and collects console errors/warnings, page errors and failed
 * requests into `problems` (tests assert it stays empty).
 */
export async function openPage(context, url, { waitFor } = {}) {
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console.${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()}`));
  await page.goto(url);
  if (waitFor) await page.waitForFunction(waitFor, null, { timeout: 30_000 });
  return { page, problems };
}

// Page script for the runtime tests' pages: window.raw(key, where), the raw
// stored text read straight from IndexedDB ('tagwise' / 'kv') or localStorage.
export const READ_RAW_STORE = `window.raw = (key, where) => where === 'localStorage' ? Promise.resolve(localStorage.getItem(key)) : new Promise((resolve, reject) => {
  const r = indexedDB.open('tagwise');
  r.onsuccess = () => {
    const db = r.result;
    if (!db.objectStoreNames.contains('kv')) { db.close(); resolve(null); return; }
    const g = db.transaction('kv').objectStore('kv').get(key);
    g.onsuccess = () => { db.close(); resolve(g.result ?? null); };
    g.onerror = () => reject(g.error);
  };
  r.onerror = () => reject(r.error);
});`;
