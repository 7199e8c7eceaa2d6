// The demo server (demo/server.mjs): what `npm run demo` promises — the port
// from PORT, bound to 127.0.0.1, the URL printed — and what it serves: the
// package's own files only, compressed, with a CSP that admits exactly the
// page's import map.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, it, before, after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { request } from 'node:http';

import { createDemoServer } from '../../demo/server.mjs';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SERVER = fileURLToPath(new URL('../../demo/server.mjs', import.meta.url));

/** GET with raw bytes (fetch would decompress gzip itself). */
function get(url, headers = {}) {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject).end();
  });
}

/** Runs `node demo/server.mjs` with env; resolves with the first stdout line or the exit. */
function startProcess(env) {
  const child = spawn(process.execPath, [SERVER], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const done = new Promise((resolve) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve({ child, out, err, code: null });
    });
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => resolve({ child, out, err, code }));
  });
  return done;
}

describe('demo server', () => {
  let demo;
  before(async () => { demo = await createDemoServer({ port: 0 }); });
  after(async () => { await demo.close(); });

  it('listens on 127.0.0.1 only', () => {
    assert.equal(demo.server.address().address, '127.0.0.1');
    assert.match(demo.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('serves the package files a page imports, and nothing else of the repository', async () => {
    const index = await get(`${demo.url}node_modules/tagwise/js/index.js`);
    assert.equal(index.status, 200);
    assert.equal(index.body.toString(), readFileSync(`${REPO}js/index.js`, 'utf8'));
    assert.equal((await get(`${demo.url}node_modules/tagwise/js/dist/tagwise_wasm.wasm`)).headers['content-type'], 'application/wasm');
    for (const path of ['node_modules/tagwise/core/src/tags/engine.cpp', 'node_modules/tagwise/tools/test.sh',
      'node_modules/tagwise/js/../CMakeLists.txt', 'node_modules/tagwise/js/%2e%2e/CMakeLists.txt',
      'data/../package.json', 'assets/%2e%2e/server.mjs', 'data/%E0%A4%A']) {
      assert.equal((await get(`${demo.url}${path}`)).status, 404, path);
    }
  });

  it('compresses text and wasm with brotli, or gzip, for clients that accept it', async () => {
    const plain = readFileSync(`${REPO}js/dist/tagwise_page.wasm`);
    const url = `${demo.url}node_modules/tagwise/js/dist/tagwise_page.wasm`;
    const br = await get(url, { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.deepEqual(brotliDecompressSync(br.body), plain);
    const gz = await get(url, { 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.deepEqual(gunzipSync(gz.body), plain);
    assert.ok(br.body.length < gz.body.length && gz.body.length < plain.length * 0.6, `${br.body.length} < ${gz.body.length} < ${plain.length}`);
    assert.equal((await get(url, {})).body.length, plain.length);
  });

  it('pages load the package from a content-hashed URL cached as immutable; another hash is not served', async () => {
    const { PACKAGE_PREFIX } = await import('../../demo/lib/package_url.mjs');
    assert.match(PACKAGE_PREFIX, /^\/pkg\/[\w-]{16}\/$/);
    const shop = await get(demo.url);
    const map = JSON.parse(/<script type="importmap">(.*?)<\/script>/s.exec(shop.body.toString())[1]);
    assert.equal(map.imports.tagwise, `${PACKAGE_PREFIX}js/index.js`);
    assert.match(shop.body.toString(), new RegExp(`<link rel="preload" href="${PACKAGE_PREFIX}js/dist/tagwise_(page|features).wasm"`));
    for (const path of ['js/index.js', 'js/dist/tagwise_page.wasm', 'js/dist/tagwise_features.mjs']) {
      const r = await get(`${demo.url}${PACKAGE_PREFIX.slice(1)}${path}`, { 'accept-encoding': 'br' });
      assert.equal(r.status, 200, path);
      assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable', path);
      assert.deepEqual(brotliDecompressSync(r.body), readFileSync(`${REPO}${path}`), path);
    }
    // Only the current content's hash, and only the package's files.
    for (const path of ['pkg/AAAAAAAAAAAAAAAA/js/index.js', `${PACKAGE_PREFIX.slice(1)}tools/test.sh`, `${PACKAGE_PREFIX.slice(1)}js/../CMakeLists.txt`]) {
      assert.equal((await get(`${demo.url}${path}`)).status, 404, path);
    }
  });

  it('answers a returning visitor\'s revalidation with 304 and no body (ETag per content and encoding, or the date)', async () => {
    const url = `${demo.url}node_modules/tagwise/js/dist/tagwise_page.wasm`;
    const first = await get(url, { 'accept-encoding': 'br' });
    assert.equal(first.headers['cache-control'], 'no-cache');
    assert.match(first.headers.etag, /^"[\w-]+-br"$/);
    const again = await get(url, { 'accept-encoding': 'br', 'if-none-match': first.headers.etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    assert.equal(again.headers.etag, first.headers.etag);
    const byDate = await get(url, { 'accept-encoding': 'br', 'if-modified-since': first.headers['last-modified'] });
    assert.equal(byDate.status, 304);
    // Another encoding is another representation: sent in full.
    const other = await get(url, { 'accept-encoding': 'gzip', 'if-none-match': first.headers.etag });
    assert.equal(other.status, 200);
    assert.equal(other.headers['content-encoding'], 'gzip');
    const stale = await get(url, { 'accept-encoding': 'br', 'if-none-match': '"something-else-br"' });
    assert.equal(stale.status, 200);
  });

  it('sends pages with a CSP whose only inline-script allowance is the import map', async () => {
    const res = await get(`${demo.url}console`);
    assert.equal(res.status, 200);
    const csp = res.headers['content-security-policy'];
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+'/);
    assert.doesNotMatch(csp, /unsafe-inline'[^;]*;.*script|'unsafe-eval'/);
    const map = /<script type="importmap">(.*?)<\/script>/s.exec(res.body.toString())[1];
    assert.ok(csp.includes(`'sha256-${createHash('sha256').update(map).digest('base64')}'`));
    const { PACKAGE_PREFIX } = await import('../../demo/lib/package_url.mjs');
    assert.equal(JSON.parse(map).imports.tagwise, `${PACKAGE_PREFIX}js/index.js`);
  });

  it('answers unknown paths with 404', async () => {
    assert.equal((await get(`${demo.url}no/such/page`)).status, 404);
  });
});

describe('npm run demo (node demo/server.mjs)', () => {
  it('takes the port from PORT and prints the URL', async () => {
    const { child, out } = await startProcess({ PORT: '0' });
    try {
      const url = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      assert.ok(url, out);
      assert.notEqual(url[1], '0');
      assert.equal((await get(`${url[0]}console`)).status, 200);
    } finally {
      child.kill();
    }
  });

  it('refuses a PORT that is not a port number, saying so', async () => {
    const { code, err } = await startProcess({ PORT: 'eighty' });
    assert.equal(code, 2);
    assert.match(err, /PORT must be a port number/);
  });

  it('says which port is taken and how to choose another', async () => {
    const blocker = createServer();
    await new Promise((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const { code, err } = await startProcess({ PORT: String(blocker.address().port) });
      assert.equal(code, 1);
      assert.match(err, /port \d+ is in use; start with another, e\.g\. PORT=8090 npm run demo/);
    } finally {
      blocker.close();
    }
  });
});
