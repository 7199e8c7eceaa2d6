// The browser entry on a page with a strict Content-Security-Policy:
//   default-src 'self'; script-src 'self' 'wasm-unsafe-eval'
// i.e. no 'unsafe-eval' and no inline scripts (the page script is the external
// fixtures/csp/page.js). WebAssembly compilation needs 'wasm-unsafe-eval';
// nothing else may be evaluated, so the Emscripten glue must not use eval or
// new Function (the module is linked with -sDYNAMIC_EXECUTION=0, see
// CMakeLists.txt). Each loading mode must give the Node entry's results.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { createTagwise } from 'tagwise';
import { REPO, launchBrowser, openPage, startServer } from './support.mjs';
import { runScenario } from './fixtures/bundler-app/src/scenario.js';

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";
const PAGE = `<!doctype html>
<html lang="zh">
<head><meta charset="utf-8"><title>tagwise under a strict CSP</title></head>
<body>
<script type="module" src="/tests/browser/fixtures/csp/page.js"></script>
</body>
</html>`;

let server;
let browser;
let expected;

before(async () => {
  const wasm = await readFile(new URL('js/dist/tagwise_page.wasm', `file://${REPO}`));
  server = await startServer({
    headers: { 'content-security-policy': CSP },
    routes: {
      '/': (req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP });
        res.end(PAGE);
      },
      // Chromium asks for it; answer without an icon (a data: icon would itself violate the CSP).
      '/favicon.ico': (req, res) => {
        res.writeHead(204, { 'content-security-policy': CSP });
        res.end();
      },
      // Where a site might host the engine under its own (hashed) name: the wasmUrl mode.
      '/assets/engine.6f1c2a.wasm': (req, res) => {
        res.writeHead(200, { 'content-type': 'application/wasm', 'content-security-policy': CSP });
        res.end(wasm);
      },
    },
  });
  browser = await launchBrowser();
  expected = await runScenario(createTagwise);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function load(mode) {
  const requests = [];
  const { page, problems } = await openPage(browser.context, 'about:blank');
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await page.goto(`${server.baseUrl}/?mode=${mode}`);
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30_000 });
  const result = await page.evaluate(() => window.__result);
  await page.close();
  return { result, problems, requests };
}

test('the test page really enforces the CSP: its own new Function is refused', async () => {
  const { result, problems } = await load('probe');
  assert.equal(result.ok, true, result.error);
  assert.equal(result.result.evalRefused, true, 'new Function must throw EvalError under this CSP');
  assert.ok(result.violations.some((v) => v.directive === 'script-src' && v.blocked === 'eval'), JSON.stringify(result.violations));
  // The refusal is also logged; that is the only problem on this page.
  assert.ok(problems.every((p) => /unsafe-eval|Refused to evaluate/i.test(p)), problems.join('\n'));
});

test('under the strict CSP the browser entry loads the .wasm next to the glue and gives the Node results', async () => {
  const { result, problems, requests } = await load('default');
  assert.equal(result.ok, true, result.error);
  assert.deepEqual(result.violations, []);
  assert.deepEqual(problems, []);
  assert.ok(requests.includes('/js/dist/tagwise_page.wasm'), requests.join(' '));
  assert.deepStrictEqual(result.result, expected);
  assert.equal(result.result.ruleAfter, true);
  assert.deepEqual(result.result.tagsAfter.map((t) => t.id), ['shanghai', 'gamer', 'spend_tier', 'active']);
});

test('under the strict CSP createTagwise({ wasmUrl }) loads the engine from the given URL', async () => {
  const { result, problems, requests } = await load('url');
  assert.equal(result.ok, true, result.error);
  assert.deepEqual(result.violations, []);
  assert.deepEqual(problems, []);
  assert.ok(requests.includes('/assets/engine.6f1c2a.wasm'), requests.join(' '));
  assert.ok(!requests.includes('/js/dist/tagwise_page.wasm'), requests.join(' '));
  assert.deepStrictEqual(result.result, expected);
});

test('under the strict CSP the inlined engine (tagwise/wasm-inline) works with no .wasm request', async () => {
  const { result, problems, requests } = await load('inline');
  assert.equal(result.ok, true, result.error);
  assert.deepEqual(result.violations, []);
  assert.deepEqual(problems, []);
  assert.deepEqual(requests.filter((p) => p.endsWith('.wasm')), []);
  assert.deepStrictEqual(result.result, expected);
});
