// The demo server: a plain Node `http` server (no framework) for the storefront
// (demo/shop/, at /) and the operator console (demo/console/, at /console).
//
//   npm run demo                    # builds the demo data if needed, http://127.0.0.1:8080/
//   PORT=9000 npm run demo
//
// Tests import createDemoServer({ port: 0, clock }) to run it with a fixed clock.
// What it serves besides the two apps' routes:
//   /node_modules/tagwise/js/…   the npm package's own files (the pages import "tagwise")
//   /vendor/sortablejs/…, /vendor/chart.js/…   the console's two UI libraries
//   /assets/…                    demo/public/ (shared stylesheet, language toggle)
//   /data/…                      build-demo/ (products, hint file, customer sample) and
//                                /data/retail-catalog.json (examples/retail-catalog.json)
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';

const gzip = promisify(gzipCallback);

import { buildDemoData, DEFAULT_OUT } from './data/build.mjs';
import { createConsoleRoutes } from './console/routes.mjs';
import { createShopRoutes } from './shop/routes.mjs';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const TYPES = {
  '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', '.json': 'application/json; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8', '.jsonl': 'application/x-ndjson; charset=utf-8', '.twh': 'application/octet-stream',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.map': 'application/json',
};
const COMPRESSIBLE = new Set(['.js', '.mjs', '.wasm', '.json', '.css', '.html', '.jsonl', '.svg']);

/**
 * Static roots: URL prefix → directory, with an optional allow-list of
 * sub-paths (the package mount exposes what `npm pack` would ship, not the repo).
 */
function staticRoots(dataDir) {
  return [
    { prefix: '/node_modules/tagwise/', dir: REPO, allow: ['js/', 'package.json'] },
    { prefix: '/vendor/sortablejs/', dir: join(REPO, 'node_modules', 'sortablejs') },
    { prefix: '/vendor/chart.js/', dir: join(REPO, 'node_modules', 'chart.js', 'dist') },
    { prefix: '/assets/', dir: join(REPO, 'demo', 'public') },
    { prefix: '/shop/', dir: join(REPO, 'demo', 'shop', 'public') },
    { prefix: '/console/assets/', dir: join(REPO, 'demo', 'console', 'public') },
    { prefix: '/data/retail-catalog.json', dir: join(REPO, 'examples', 'retail-catalog.json'), file: true },
    { prefix: '/data/', dir: dataDir },
  ];
}

function resolveStatic(roots, pathname) {
  for (const root of roots) {
    if (root.file) {
      if (pathname === root.prefix) return root.dir;
      continue;
    }
    if (!pathname.startsWith(root.prefix)) continue;
    let rest;
    try {
      rest = decodeURIComponent(pathname.slice(root.prefix.length));
    } catch {
      return null;
    }
    if (root.allow && !root.allow.some((a) => (a.endsWith('/') ? rest.startsWith(a) : rest === a))) return null;
    const file = normalize(join(root.dir, rest));
    const base = root.dir.endsWith(sep) ? root.dir : root.dir + sep;
    return file.startsWith(base) ? file : null;
  }
  return null;
}

/**
 * A file's bytes, gzipped or not, compressed once and kept in memory (keyed by
 * mtime, so a rebuilt file is picked up). Compression runs on libuv's thread
 * pool: a 1.4 MB .wasm at level 9 would otherwise stall every other request.
 */
async function fileBody(file, info, gzipped, cache) {
  const key = `${file}\u0000${info.mtimeMs}\u0000${gzipped}`;
  let body = cache.get(key);
  if (body === undefined) {
    body = readFile(file).then((bytes) => (gzipped ? gzip(bytes, { level: 9 }) : bytes));
    cache.set(key, body);
    body.catch(() => cache.delete(key));
  }
  return body;
}

/** Serves a file, gzipped when the client accepts it. */
async function serveFile(req, res, file, cache) {
  const info = await stat(file);
  if (!info.isFile()) return false;
  const ext = extname(file);
  const gzip = COMPRESSIBLE.has(ext) && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
  const body = await fileBody(file, info, gzip, cache);
  const headers = {
    'content-type': TYPES[ext] ?? 'application/octet-stream',
    'content-length': body.length,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
    'last-modified': new Date(info.mtimeMs).toUTCString(),
  };
  if (gzip) headers['content-encoding'] = 'gzip';
  if (COMPRESSIBLE.has(ext)) headers.vary = 'accept-encoding';
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}

/**
 * Starts the demo. Options: port (0 = any free port), host (default
 * 127.0.0.1: the demo is not meant to be reachable from other machines),
 * clock (ms; the storefront's server-side "now"), dataDir (build-demo/).
 * Returns { server, url, close() }.
 */
export async function createDemoServer({ port = 8080, host = '127.0.0.1', clock = Date.now, dataDir = DEFAULT_OUT } = {}) {
  await buildDemoData({ out: dataDir });
  const ctx = { repo: REPO, dataDir, clock };
  const handlers = [await createShopRoutes(ctx), await createConsoleRoutes(ctx)];
  const roots = staticRoots(dataDir);
  const cache = new Map();
  // Compress the biggest file before the first visitor asks for it.
  for (const name of ['tagwise_page.wasm', 'tagwise_features.wasm']) {
    const wasm = join(REPO, 'js', 'dist', name);
    await fileBody(wasm, await stat(wasm), true, cache).catch(() => {});
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    try {
      for (const handle of handlers) {
        if (await handle(req, res, url)) return;
      }
      if (req.method === 'GET' || req.method === 'HEAD') {
        const file = resolveStatic(roots, url.pathname);
        if (file !== null && (await serveFile(req, res, file, cache).catch(() => false))) return;
      }
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`not found: ${url.pathname}\n`);
    } catch (error) {
      const status = error.status ?? 500;
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: error.message }));
      if (status === 500) console.error(error);
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  return {
    server,
    url: `http://${address.address}:${address.port}/`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(resolve);
    }),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const port = process.env.PORT === undefined || process.env.PORT === '' ? 8080 : Number(process.env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`demo: PORT must be a port number (0-65535), got ${JSON.stringify(process.env.PORT)}`);
    process.exit(2);
  }
  try {
    const { url } = await createDemoServer({ port });
    console.log(`tagwise demo shop:        ${url}`);
    console.log(`tagwise operator console: ${url}console`);
    console.log('Ctrl+C stops it.');
  } catch (error) {
    console.error(error.code === 'EADDRINUSE'
      ? `demo: port ${port} is in use; start with another, e.g. PORT=8090 npm run demo`
      : `demo: ${error.message}`);
    process.exit(1);
  }
}
