// The package through Vite (8.4, a dev dependency), the way an app uses it,
// beside esbuild (bundler.test.mjs). The fixture app (fixtures/vite-app) is
// copied into a temp folder and the files `npm pack` would ship are copied to
// its node_modules/tagwise: a real install, no alias and no symlink, so Vite
// resolves `tagwise` through package.json "exports" (browser conditions:
// js/index.js) and treats it as a dependency (pre-bundling, node_modules).
// Two pages, each in a production build (vite build, served as static files)
// and on the dev server, in headless Chromium; each must give the Node entry's
// results (runScenario, and the full module's features via tw.ready() or
// createTagwise({ features })) with no console error and no failed request:
//
//   index.html  default loading: `import { createTagwise } from 'tagwise'`.
//   url.html    the .wasm URLs from `tagwise/wasm/{page,features}.wasm?url`,
//               passed as wasmUrl / featuresWasmUrl.
//
// What Vite 8.4.1 needs (found here): nothing. Both pages work in a
// production build and on the dev server, with or without the fixture's
// optimizeDeps: { exclude: ['tagwise'] } (tested both ways). That holds
// because each browser glue names its .wasm as a literal
// new URL("tagwise_page.wasm", import.meta.url) (wasm/locate_*.js, a
// --pre-js), which js/load.js calls: Vite rewrites it to the hashed asset in a
// build and to node_modules/tagwise/js/dist/ when pre-bundling in dev. (Before
// that, js/load.js's own locateFile URL made the build fetch an unhashed,
// missing assets/tagwise_page.wasm and the pre-bundled dev page look in
// node_modules/.vite/deps/.)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { build, createLogger, createServer } from 'vite';
import { createTagwise } from 'tagwise';
import { REPO, launchBrowser, openPage, startServer } from './support.mjs';
import { runScenario } from './fixtures/bundler-app/src/scenario.js';
import { runFeatures } from './fixtures/vite-app/src/features.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/vite-app/', import.meta.url));
// The scenario the esbuild test runs, copied over the app's src/scenario.js (a re-export in the repo).
const SCENARIO = fileURLToPath(new URL('./fixtures/bundler-app/src/scenario.js', import.meta.url));

let tmp;
let app;
let out;
let buildWarnings;
let prod;
let dev;
let devPlain;
let browser;
let expected;

/** Copies the files `npm pack` would put in the tarball into target (app/node_modules/tagwise). */
function installPackedFiles(target) {
  const packed = execFileSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'],
    { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  for (const { path } of JSON.parse(packed)[0].files) {
    mkdirSync(dirname(join(target, path)), { recursive: true });
    copyFileSync(join(REPO, path), join(target, path));
  }
}

/** Vite's warnings and errors, kept instead of printed. */
function collectingLogger(into) {
  const logger = createLogger('warn', { allowClearScreen: false });
  logger.warn = (msg) => into.push(msg);
  logger.warnOnce = (msg) => into.push(msg);
  logger.error = (msg) => into.push(msg);
  return logger;
}

/** A dev server on a free port; configFile false: without the fixture's vite.config.js. */
async function startDev({ configFile, cacheDir }) {
  const server = await createServer({
    root: app,
    configFile,
    cacheDir,
    logLevel: 'silent',
    server: { host: '127.0.0.1', port: 0, strictPort: true, hmr: false },
  });
  await server.listen();
  return { server, baseUrl: server.resolvedUrls.local[0].replace(/\/$/, ''), close: () => server.close() };
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tagwise-vite-'));
  app = join(tmp, 'app');
  out = join(tmp, 'dist');
  cpSync(FIXTURE, app, { recursive: true });
  copyFileSync(SCENARIO, join(app, 'src', 'scenario.js'));
  installPackedFiles(join(app, 'node_modules', 'tagwise'));

  buildWarnings = [];
  await build({
    root: app,
    configFile: join(app, 'vite.config.js'),
    customLogger: collectingLogger(buildWarnings),
    logLevel: 'warn',
    build: {
      outDir: out,
      emptyOutDir: true,
      rolldownOptions: { input: { main: join(app, 'index.html'), url: join(app, 'url.html') } },
    },
  });
  prod = await startServer({ roots: { '/': out } });
  dev = await startDev({ configFile: join(app, 'vite.config.js'), cacheDir: join(app, 'node_modules', '.vite') });
  devPlain = await startDev({ configFile: false, cacheDir: join(app, 'node_modules', '.vite-plain') });
  browser = await launchBrowser();
  expected = {
    result: await runScenario(createTagwise),
    features: await runFeatures(createTagwise),
  };
});

after(async () => {
  await browser?.close();
  await prod?.close();
  await dev?.close();
  await devPlain?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Opens baseUrl + path: the page's window.__result, problems, requests and the .wasm fetches (status, type). */
async function run(baseUrl, path) {
  const { page: p, problems } = await openPage(browser.context, 'about:blank');
  const requests = [];
  const wasm = [];
  p.on('request', (r) => requests.push(new URL(r.url()).pathname));
  p.on('response', (r) => {
    const { pathname } = new URL(r.url());
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${pathname}`);
    // The engine's fetches (in dev, `?url` imports are JS modules at the same path: not these).
    if (pathname.endsWith('.wasm') && r.request().resourceType() === 'fetch') {
      wasm.push({ path: pathname, status: r.status(), type: r.headers()['content-type'] });
    }
  });
  try {
    await p.goto(`${baseUrl}${path}`);
    await p.waitForFunction(() => window.__result !== undefined, null, { timeout: 30_000 });
    return { result: await p.evaluate(() => window.__result), problems, requests, wasm };
  } finally {
    await p.close();
  }
}

function assertSameAsNode({ result, problems }) {
  assert.equal(result.ok, true, result.error);
  assert.deepEqual(problems, []);
  assert.deepStrictEqual(result.result, expected.result);
  assert.deepStrictEqual(result.features, expected.features);
  // Not vacuous: the scenario's own expectations (as in bundler.test.mjs), and the features loaded.
  assert.deepEqual(result.result.tagsAfter.map((t) => [t.id, t.value]),
    [['shanghai', true], ['gamer', true], ['spend_tier', 2], ['active', true]]);
  assert.deepEqual(result.features.has, [true, true]);
  assert.deepEqual(result.features.tagsKept, result.features.tagsBefore);
  assert.deepEqual(result.features.conditions, [true, true, false]);
}

/** The hashed .wasm files Vite emitted into dist/assets, by module. */
function emittedWasm() {
  const files = readdirSync(join(out, 'assets')).filter((f) => f.endsWith('.wasm'));
  const one = (name) => {
    const found = files.filter((f) => new RegExp(`^${name}-[\\w-]{6,}\\.wasm$`).test(f));
    assert.equal(found.length, 1, `one hashed ${name}.wasm in ${files.join(' ')}`);
    return `/assets/${found[0]}`;
  };
  return { files, page: one('tagwise_page'), features: one('tagwise_features') };
}

test('vite build: the .wasm files are emitted hashed; no build warnings', () => {
  const { files } = emittedWasm();
  // Also emitted, never fetched by these pages: the Node/full module behind
  // createTagwise({ wasmBinary | wasmModule })'s dynamic import (js/index.js).
  console.log(`vite build emitted: ${files.join(', ')}`);
  assert.deepEqual(buildWarnings, []);
});

test('vite build, ?url imports: the page gives the Node results and fetches the hashed .wasm files', async () => {
  const { page, features } = emittedWasm();
  const r = await run(prod.baseUrl, '/url.html');
  assertSameAsNode(r);
  assert.deepEqual(r.wasm.map((w) => [w.path, w.status, w.type]),
    [[page, 200, 'application/wasm'], [features, 200, 'application/wasm']]);
});

test('vite build, default loading: the glue fetches the .wasm Vite emitted', async () => {
  const { page, features } = emittedWasm();
  const r = await run(prod.baseUrl, '/index.html');
  assert.deepEqual(r.wasm.map((w) => [w.path, w.status]), [[page, 200], [features, 200]], r.result.error);
  assertSameAsNode(r);
});

test('vite dev server with optimizeDeps.exclude, default loading: same results; each glue fetches the .wasm beside it', async () => {
  const r = await run(dev.baseUrl, '/index.html');
  assertSameAsNode(r);
  assert.deepEqual(r.wasm.map((w) => [w.path, w.status, w.type]), [
    ['/node_modules/tagwise/js/dist/tagwise_page.wasm', 200, 'application/wasm'],
    ['/node_modules/tagwise/js/dist/tagwise_features.wasm', 200, 'application/wasm'],
  ]);
  assert.ok(!r.requests.some((p) => p.includes('/.vite/deps/')), `tagwise is not pre-bundled: ${r.requests.join(' ')}`);
});

test('vite dev server with optimizeDeps.exclude, ?url imports: same results', async () => {
  const r = await run(dev.baseUrl, '/url.html');
  assertSameAsNode(r);
  assert.deepEqual(r.wasm.map((w) => [w.path, w.status]), [
    ['/node_modules/tagwise/js/dist/tagwise_page.wasm', 200],
    ['/node_modules/tagwise/js/dist/tagwise_features.wasm', 200],
  ]);
});

test('vite dev server with no config, ?url imports: same results (tagwise pre-bundled)', async () => {
  const r = await run(devPlain.baseUrl, '/url.html');
  assertSameAsNode(r);
  assert.ok(r.requests.some((p) => p.startsWith('/node_modules/.vite-plain/deps/tagwise')), r.requests.join(' '));
  assert.deepEqual(r.wasm.map((w) => [w.path, w.status]), [
    ['/node_modules/tagwise/js/dist/tagwise_page.wasm', 200],
    ['/node_modules/tagwise/js/dist/tagwise_features.wasm', 200],
  ]);
});

test('vite dev server with no config, default loading: same results (tagwise pre-bundled)', async () => {
  const r = await run(devPlain.baseUrl, '/index.html');
  assertSameAsNode(r);
});
