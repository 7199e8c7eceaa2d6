// The package through a bundler, the way an app uses it: the fixture app
// (fixtures/bundler-app) is copied into a temp folder, the files `npm pack`
// would ship are installed as node_modules/tagwise, and esbuild bundles it
// for the browser (platform "browser", format "esm": the "default" export
// condition, js/index.js). The bundles then run in headless Chromium and must
// give the same results as the Node entry on the same inputs.
//
//   1. default: the glue in the bundle locates the engine with
//      new URL('tagwise_wasm.wasm', import.meta.url); esbuild leaves that
//      expression alone, so it resolves next to the bundle and the build
//      copies node_modules/tagwise/js/dist/tagwise_wasm.wasm into the output
//      folder (no loader or plugin needed).
//   2. single file: `import { wasmBinary } from 'tagwise/wasm-inline'` and
//      createTagwise({ wasmBinary }); the page makes no .wasm request.
//   3. the same as a classic script (format "iife"), where import.meta is empty.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import * as esbuild from 'esbuild';
import { createTagwise } from 'tagwise';
import { REPO, launchBrowser, openPage, startServer } from './support.mjs';
import { runScenario } from './fixtures/bundler-app/src/scenario.js';

const FIXTURE = new URL('./fixtures/bundler-app/', import.meta.url);

const page = (script, type = 'module') => `<!doctype html>
<html lang="zh">
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>tagwise bundled with esbuild</title></head>
<body><script${type === 'module' ? ' type="module"' : ''} src="./${script}"></script></body>
</html>`;

let tmp;
let app;
let builds;
let server;
let browser;
let expected;

/** Copies the files `npm pack` would put in the tarball into app/node_modules/tagwise. */
function installPackedFiles(target) {
  const out = execFileSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'],
    { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const files = JSON.parse(out)[0].files.map((f) => f.path);
  for (const file of files) {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    copyFileSync(join(REPO, file), join(target, file));
  }
  return files;
}

async function bundle(entry, outdir, format = 'esm') {
  const result = await esbuild.build({
    absWorkingDir: app,
    entryPoints: [`src/${entry}`],
    outdir,
    bundle: true,
    format,
    platform: 'browser', // conditions: browser, import, default (never "node")
    minify: true, // as a production build would
    metafile: true,
    logLevel: 'silent',
  });
  return {
    warnings: result.warnings,
    inputs: Object.keys(result.metafile.inputs),
    outputs: readdirSync(join(app, outdir)).map((f) => ({ file: f, bytes: statSync(join(app, outdir, f)).size })),
  };
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tagwise-bundler-'));
  app = join(tmp, 'app');
  cpSync(FIXTURE, app, { recursive: true });
  const packed = installPackedFiles(join(app, 'node_modules', 'tagwise'));
  assert.ok(packed.includes('js/dist/tagwise_wasm_inline.js'), 'the inlined wasm is in the tarball');
  assert.ok(packed.includes('js/wasm-inline.d.ts'), 'its types are in the tarball');

  builds = {
    default: await bundle('main.js', 'dist'),
    inline: await bundle('main-inline.js', 'dist-inline'),
    classic: await bundle('main-classic.js', 'dist-classic', 'iife'),
  };
  // What the app's build must do for the default loading: put the engine next to the bundle.
  // (The page runtime; the full module only when a feature is used.)
  for (const f of ['tagwise_page.wasm', 'tagwise_features.wasm']) {
    copyFileSync(join(app, `node_modules/tagwise/js/dist/${f}`), join(app, `dist/${f}`));
  }

  server = await startServer({
    routes: { '/app/': page('main.js'), '/inline/': page('main-inline.js'), '/classic/': page('main-classic.js', 'classic') },
    roots: { '/app/': join(app, 'dist'), '/inline/': join(app, 'dist-inline'), '/classic/': join(app, 'dist-classic') },
  });
  browser = await launchBrowser();
  expected = await runScenario(createTagwise);
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function run(path) {
  const requests = [];
  const { page: p, problems } = await openPage(browser.context, 'about:blank');
  p.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await p.goto(`${server.baseUrl}${path}`);
  await p.waitForFunction(() => window.__result !== undefined, null, { timeout: 30_000 });
  const result = await p.evaluate(() => window.__result);
  await p.close();
  return { result, problems, requests };
}

test('esbuild bundles the browser entry; with the .wasm copied next to the bundle the page gives the Node results', async () => {
  const { warnings, inputs, outputs } = builds.default;
  assert.deepEqual(warnings, []);
  assert.ok(inputs.includes('node_modules/tagwise/js/index.js'), inputs.join('\n')); // relative to the app folder
  assert.ok(!inputs.some((f) => f.endsWith('index.node.js')), 'the Node entry is not bundled');
  assert.ok(!inputs.some((f) => f.endsWith('tagwise_wasm_inline.js')), 'the inlined wasm is not pulled in unless imported');
  console.log(`esbuild default bundle: ${outputs.map((o) => `${o.file} ${o.bytes} B`).join(', ')}`);

  const { result, problems, requests } = await run('/app/');
  assert.equal(result.ok, true, result.error);
  assert.deepEqual(problems, []);
  assert.ok(requests.includes('/app/tagwise_page.wasm'), `the glue fetches the .wasm next to the bundle: ${requests.join(' ')}`);
  assert.deepStrictEqual(result.result, expected);
  assert.equal(result.result.loaded.ok, true);
  assert.deepEqual(result.result.tagsAfter.map((t) => [t.id, t.name, t.value]),
    [['shanghai', '上海用户', true], ['gamer', '游戏玩家', true], ['spend_tier', '消费等级', 2], ['active', '高活跃用户', true]]);
  assert.deepEqual(result.result.changes, [{ entered: ['gamer', 'active'], left: ['new_user'], changed: ['spend_tier'] }]);
});

test('with tagwise/wasm-inline the bundle is one file and the page makes no .wasm request', async () => {
  const { warnings, inputs, outputs } = builds.inline;
  assert.deepEqual(warnings, []);
  assert.ok(inputs.includes('node_modules/tagwise/js/dist/tagwise_wasm_inline.js'), inputs.join('\n'));
  assert.deepEqual(outputs.map((o) => o.file), ['main-inline.js'], 'a single output file');
  console.log(`esbuild single-file bundle: main-inline.js ${outputs[0].bytes} B`);

  const { result, problems, requests } = await run('/inline/');
  assert.equal(result.ok, true, result.error);
  assert.deepEqual(problems, []);
  assert.deepEqual(requests.filter((p) => p.endsWith('.wasm')), []);
  assert.deepEqual(requests, ['/inline/', '/inline/main-inline.js']);
  assert.deepStrictEqual(result.result, expected);
});

test('as a classic-script bundle (format iife, no import.meta) tagwise/wasm-inline works too', async () => {
  // import.meta is empty in IIFE output (esbuild warns about it, except in
  // node_modules): the glue cannot know its own URL, which is why this format
  // needs wasmBinary (or wasmUrl).
  const { outputs } = builds.classic;
  assert.deepEqual(outputs.map((o) => o.file), ['main-classic.js']);

  const { result, problems, requests } = await run('/classic/');
  assert.equal(result.ok, true, result.error);
  assert.deepEqual(problems, []);
  assert.deepEqual(requests, ['/classic/', '/classic/main-classic.js']);
  assert.deepStrictEqual(result.result, expected);
});
