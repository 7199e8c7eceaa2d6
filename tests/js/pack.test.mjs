// `npm pack` must yield a tarball that works when installed into an empty
// folder on a machine without build tools: the .wasm ships inside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('npm pack ships the wasm and the installed package works in Node', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tagwise-pack-'));
  try {
    // The module is already built by the test command; skip the prepack rebuild.
    const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const [info] = JSON.parse(out);
    const files = info.files.map((f) => f.path);
    assert.ok(files.includes('js/dist/tagwise_wasm.wasm'), 'the .wasm is in the tarball');
    assert.ok(files.includes('js/index.d.ts'), 'the types are in the tarball');
    assert.ok(files.includes('js/dist/tagwise_wasm_inline.js'), 'the inlined wasm (tagwise/wasm-inline) is in the tarball');
    assert.ok(files.includes('js/wasm-inline.d.ts'), 'the types of tagwise/wasm-inline are in the tarball');
    assert.ok(!files.some((f) => f.startsWith('core/') || f.startsWith('tests/')), 'no sources or tests shipped');

    const app = join(dir, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    // --prefer-offline: the dependencies come from npm's cache when it holds
    // them (tools/setup.sh's install fills it), else from the registry; with
    // --offline a cache that has the tarball but not the packument failed.
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, info.filename)],
      { cwd: app, stdio: 'ignore' });
    writeFileSync(join(app, 'check.mjs'), `
      import { createTagwise } from 'tagwise';
      const tw = await createTagwise();
      const r = tw.evaluate({ ">=": [{ events: [{ type: "order_paid", within: "30d" }] }, 1] }, {},
        { now: 1763856000000, profile: { events: [{ id: "1", type: "order_paid", ts: 1763855000000 }] } });
      console.log(JSON.stringify(r));`);
    const result = execFileSync('node', ['check.mjs'], { cwd: app, encoding: 'utf8' });
    assert.equal(result.trim(), 'true');

    // The single-file variant: the engine's bytes from tagwise/wasm-inline.
    writeFileSync(join(app, 'inline.mjs'), `
      import { createTagwise } from 'tagwise';
      import { wasmBinary } from 'tagwise/wasm-inline';
      const tw = await createTagwise({ wasmBinary });
      console.log(JSON.stringify([wasmBinary instanceof Uint8Array, tw.evaluate({ cat: ["标", "签"] })]));`);
    const inline = execFileSync('node', ['inline.mjs'], { cwd: app, encoding: 'utf8' });
    assert.equal(inline.trim(), '[true,"标签"]');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
