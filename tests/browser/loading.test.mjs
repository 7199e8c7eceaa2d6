// Loading the browser entry anywhere, and failing clearly (issue 20): in
// headless Chromium, every way loading can fail is a TagwiseError with a code
// (wasm_fetch_failed for a 404, wasm_compile_failed for bytes that are not a
// tagwise module, csp_blocked under a CSP without 'wasm-unsafe-eval'), never
// a promise that hangs or a bare Emscripten abort; and the package runs in a
// module Worker, both from its default .wasm and from a WebAssembly.Module the
// page compiled and handed over (createTagwise({ wasmModule })).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTagwise } from 'tagwise';
import { launchBrowser, openPage, startServer } from './support.mjs';

const RULE = { and: [{ '>=': [{ var: 'spend' }, 100] }, { in: ['会员', { var: 'tags' }] }] };
const DATA = [{ spend: 150, tags: '黄金会员' }, { spend: 150, tags: '' }, { spend: 10, tags: '会员' }];

// What a page or worker does: load with a catalog whose tag is RULE, then
// ask for each DATA visitor whether it holds; or report the load error.
const OPTIONS = { storage: 'memory', purposes: ['necessary', 'personalization'],
  catalog: { tagwise: 1, tags: [{ id: 'member', when: RULE }] } };
const holds = (tw, attributes) => {
  tw.setProfile({ user_id: 'u', attributes });
  return tw.tags().some((t) => t.id === 'member');
};
const RUN = `
const holds = ${holds};
async function run(options) {
  const { createTagwise, TagwiseError } = await import('/js/index.js');
  try {
    const tw = await createTagwise({ ...${JSON.stringify(OPTIONS)}, ...options });
    const values = ${JSON.stringify(DATA)}.map((d) => holds(tw, d));
    return { ok: true, values, full: tw.has('offers') };
  } catch (e) {
    return { ok: false, tagwiseError: e instanceof TagwiseError, code: e.code, message: String(e.message) };
  }
}`;

const PAGE_JS = `${RUN}
const mode = new URL(location.href).searchParams.get('mode');
async function main() {
  if (mode === 'missing') return run({ wasmUrl: '/no/such/tagwise_page.wasm' });
  if (mode === 'garbage') return run({ wasmUrl: '/garbage.wasm' });
  if (mode === 'csp') return run({});
  if (mode === 'worker-default' || mode === 'worker-module') {
    const worker = new Worker('/loading/worker.js', { type: 'module' });
    const answer = new Promise((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => reject(new Error(e.message));
    });
    if (mode === 'worker-module') {
      // The page compiles Node's full module (tagwise/wasm/node.wasm) and hands it over.
      const module = await WebAssembly.compileStreaming(fetch('/js/dist/tagwise_wasm.wasm'));
      worker.postMessage({ module });
    } else {
      worker.postMessage({});
    }
    return answer;
  }
  throw new Error('unknown mode ' + mode);
}
main().then((r) => { window.__result = r; }, (e) => { window.__result = { ok: false, thrown: String(e && e.stack || e) }; });
`;

const WORKER_JS = `${RUN}
self.onmessage = async (e) => {
  self.postMessage(await run(e.data.module ? { wasmModule: e.data.module } : {}));
};
`;

const html = (title) => `<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>${title}</title></head>
<body><script type="module" src="/loading/page.js"></script></body></html>`;

let server;
let browser;
let expected;

before(async () => {
  const js = (body) => (req, res) => {
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
    res.end(body);
  };
  server = await startServer({
    routes: {
      '/loading/': html('tagwise loading'),
      '/loading/page.js': js(PAGE_JS),
      '/loading/worker.js': js(WORKER_JS),
      // A page under a CSP that allows its own scripts but not compiling WebAssembly.
      '/loading/csp': (req, res) => {
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': "default-src 'self'; script-src 'self'",
        });
        res.end(html('tagwise under a CSP without wasm-unsafe-eval'));
      },
      '/garbage.wasm': (req, res) => {
        res.writeHead(200, { 'content-type': 'application/wasm' });
        res.end(Buffer.from('<!doctype html><title>not wasm</title>'));
      },
      '/favicon.ico': (req, res) => { res.writeHead(204); res.end(); },
    },
  });
  browser = await launchBrowser();
  const tw = await createTagwise(OPTIONS);
  expected = DATA.map((d) => holds(tw, d));
  assert.deepEqual(expected, [true, false, false]);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function visit(path) {
  const { page, problems } = await openPage(browser.context, `${server.baseUrl}${path}`,
    { waitFor: () => window.__result !== undefined });
  const result = await page.evaluate(() => window.__result);
  await page.close();
  return { result, problems };
}

test('a .wasm that is not there (HTTP 404) rejects createTagwise() with wasm_fetch_failed, naming the URL and status', async () => {
  const { result } = await visit('/loading/?mode=missing');
  assert.equal(result.ok, false, JSON.stringify(result));
  assert.equal(result.tagwiseError, true, JSON.stringify(result));
  assert.equal(result.code, 'wasm_fetch_failed');
  assert.match(result.message, /\/no\/such\/tagwise_page\.wasm/);
  assert.match(result.message, /HTTP 404/);
});

test('bytes that are not a wasm module reject with wasm_compile_failed, naming the minimum browsers', async () => {
  const { result } = await visit('/loading/?mode=garbage');
  assert.equal(result.ok, false, JSON.stringify(result));
  assert.equal(result.tagwiseError, true, JSON.stringify(result));
  assert.equal(result.code, 'wasm_compile_failed');
  assert.match(result.message, /garbage\.wasm/);
  assert.match(result.message, /Chrome 95/);
});

test('a Content-Security-Policy without \'wasm-unsafe-eval\' rejects with csp_blocked and says what to add', async () => {
  const { result } = await visit('/loading/csp?mode=csp');
  assert.equal(result.ok, false, JSON.stringify(result));
  assert.equal(result.tagwiseError, true, JSON.stringify(result));
  assert.equal(result.code, 'csp_blocked');
  assert.match(result.message, /'wasm-unsafe-eval'/);
});

test('in a module Worker the default entry loads its page runtime and gives Node\'s results', async () => {
  const { result, problems } = await visit('/loading/?mode=worker-default');
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.deepEqual(result.values, expected);
  assert.equal(result.full, false, 'the page runtime: features load on demand');
  assert.deepEqual(problems, []);
});

test('a Worker handed a compiled WebAssembly.Module (createTagwise({ wasmModule })) uses it: everything loaded, Node\'s results', async () => {
  const { result, problems } = await visit('/loading/?mode=worker-module');
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.deepEqual(result.values, expected);
  assert.equal(result.full, true, 'the full module: every feature is there');
  assert.deepEqual(problems, []);
});
