// The demo server: a plain Node `http` server (no framework) for the storefront
// (demo/shop/, at /) and the operator console (demo/console/, at /console).
//
//   npm run demo                    # builds the demo data if needed, http://127.0.0.1:8080/
//   PORT=9000 npm run demo
//
// Tests import createDemoServer({ port: 0, clock }) to run it with a fixed clock.
// What it serves besides the two apps' routes:
//   /pkg/<content hash>/js/…     the npm package's own files, where the pages import "tagwise"
//                                from: Cache-Control immutable (demo/lib/package_url.mjs)
//   /node_modules/tagwise/js/…   the same files at a stable URL, revalidated (no-cache)
//   /vendor/sortablejs/…, /vendor/chart.js/…   the console's two UI libraries
//   /assets/…                    demo/public/ (shared stylesheet, language toggle)
//   /data/…                      build-demo/ (products, hint file, customer sample) and
//                                /data/console-catalog.json (demo/console/catalog.json)
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress as brotliCallback, constants as zlib, gzip as gzipCallback } from 'node:zlib';

const gzip = promisify(gzipCallback);
const brotli = promisify(brotliCallback);

import { buildDemoData, DEFAULT_OUT } from './data/build.mjs';
import { createConsoleRoutes } from './console/routes.mjs';
import { createShopRoutes } from './shop/routes.mjs';
import { PACKAGE_FILES, PACKAGE_PREFIX } from './lib/package_url.mjs';

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
    { prefix: PACKAGE_PREFIX, dir: REPO, allow: PACKAGE_FILES, immutable: true },
    { prefix: '/node_modules/tagwise/', dir: REPO, allow: PACKAGE_FILES },
    { prefix: '/vendor/sortablejs/', dir: join(REPO, 'node_modules', 'sortablejs') },
    { prefix: '/vendor/chart.js/', dir: join(REPO, 'node_modules', 'chart.js', 'dist') },
    { prefix: '/assets/', dir: join(REPO, 'demo', 'public') },
    { prefix: '/shop/', dir: join(REPO, 'demo', 'shop', 'public') },
    { prefix: '/console/assets/', dir: join(REPO, 'demo', 'console', 'public') },
    { prefix: '/data/console-catalog.json', dir: join(REPO, 'demo', 'console', 'catalog.json'), file: true },
    { prefix: '/data/', dir: dataDir },
  ];
}

/** The file a URL path names, and whether its URL is content-hashed: { file, immutable } or null. */
function resolveStatic(roots, pathname) {
  for (const root of roots) {
    const file = fileUnder(root, pathname);
    if (file !== undefined) return file === null ? null : { file, immutable: root.immutable === true };
  }
  return null;
}

/** The file under one root (undefined: not this root's prefix; null: refused). */
function fileUnder(root, pathname) {
  if (root.file) return pathname === root.prefix ? root.dir : undefined;
  if (!pathname.startsWith(root.prefix)) return undefined;
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

/**
 * A file's bytes in one encoding ("br", "gzip" or "identity") with their
 * ETag, compressed once and kept in memory (keyed by mtime, so a rebuilt
 * file is picked up). Compression runs on libuv's thread pool: a 1.4 MB
 * .wasm would otherwise stall every other request.
 */
async function fileBody(file, info, encoding, cache) {
  const key = `${file}\u0000${info.mtimeMs}\u0000${encoding}`;
  let entry = cache.get(key);
  if (entry === undefined) {
    entry = readFile(file).then(async (bytes) => {
      // Brotli's best level for the .wasm (compressed at start-up: 275 → 221 KB
      // for the features module, 1.8 s), a faster one for the rest (on first use).
      const quality = extname(file) === '.wasm' ? 11 : 9;
      const body = encoding === 'br'
        ? await brotli(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: quality, [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length } })
        : encoding === 'gzip' ? await gzip(bytes, { level: 9 }) : bytes;
      // One tag per content and encoding: a cache keeps what it was sent.
      const hash = createHash('sha256').update(bytes).digest('base64url').slice(0, 22);
      return { body, etag: `"${hash}${encoding === 'identity' ? '' : `-${encoding}`}"` };
    });
    cache.set(key, entry);
    entry.catch(() => cache.delete(key));
  }
  return entry;
}

/** The encoding to send: brotli, then gzip, when the client accepts it. */
function encodingFor(req, ext) {
  if (!COMPRESSIBLE.has(ext)) return 'identity';
  const accepted = req.headers['accept-encoding'] ?? '';
  if (/\bbr\b/.test(accepted)) return 'br';
  return /\bgzip\b/.test(accepted) ? 'gzip' : 'identity';
}

/** Whether the client's copy is current (If-None-Match, else If-Modified-Since). */
function notModified(req, etag, info) {
  const match = req.headers['if-none-match'];
  if (match !== undefined) return match.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
  const since = Date.parse(req.headers['if-modified-since'] ?? '');
  return Number.isFinite(since) && Math.floor(info.mtimeMs / 1000) * 1000 <= since;
}

/**
 * Serves a file, brotli- or gzip-compressed when the client accepts it. A
 * file under a content-hashed URL is cached for a year without revalidation
 * (immutable); the rest are revalidated (Cache-Control: no-cache) and a
 * returning visitor gets 304 Not Modified without a body when the ETag or
 * the date still match.
 */
async function serveFile(req, res, { file, immutable }, cache) {
  const info = await stat(file);
  if (!info.isFile()) return false;
  const ext = extname(file);
  const encoding = encodingFor(req, ext);
  const { body, etag } = await fileBody(file, info, encoding, cache);
  const headers = {
    'x-content-type-options': 'nosniff',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'last-modified': new Date(info.mtimeMs).toUTCString(),
    etag,
  };
  if (COMPRESSIBLE.has(ext)) headers.vary = 'accept-encoding';
  if (notModified(req, etag, info)) {
    res.writeHead(304, headers);
    res.end();
    return true;
  }
  headers['content-type'] = TYPES[ext] ?? 'application/octet-stream';
  headers['content-length'] = body.length;
  if (encoding !== 'identity') headers['content-encoding'] = encoding;
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
  // Compress the biggest files before the first visitor asks for them.
  for (const name of ['tagwise_page.wasm', 'tagwise_features.wasm']) {
    const wasm = join(REPO, 'js', 'dist', name);
    const info = await stat(wasm).catch(() => null);
    if (info !== null) await Promise.all(['br', 'gzip'].map((e) => fileBody(wasm, info, e, cache).catch(() => {})));
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
