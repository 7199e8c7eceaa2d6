// The package as registries and bundlers see it (issue 20): publint and
// are-the-types-wrong (@arethetypeswrong/cli) find no problem in the packed
// tarball, the .wasm files are reachable through the "exports" map (Vite and
// webpack enforce it), and the license the manifest names ships.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const bin = (name) => join(root, 'node_modules', '.bin', name);

// The .wasm subpaths are assets, not modules: are-the-types-wrong checks modules only.
const WASM_SUBPATHS = Object.keys(manifest.exports).filter((k) => k.endsWith('.wasm'));

test('publint finds nothing to fix in the manifest and the files it ships', () => {
  const out = execFileSync(bin('publint'), ['--pack', 'npm', '--strict'], { cwd: root, encoding: 'utf8' });
  assert.match(out, /All good!/, out);
});

test('are-the-types-wrong: every entry point resolves to JS and types for Node (ESM) and bundlers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tagwise-attw-'));
  try {
    const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const tarball = join(dir, JSON.parse(out)[0].filename);
    // esm-only: the package is ESM; require() of it needs Node's require(esm)
    // (20.19+, which "engines" says), not a CommonJS build.
    execFileSync(bin('attw'), ['--profile', 'esm-only', '--format', 'ascii',
      '--exclude-entrypoints', ...WASM_SUBPATHS, '--', tarball], { encoding: 'utf8' });
  } catch (e) {
    assert.fail(`attw reported problems:\n${e.stdout ?? ''}${e.stderr ?? ''}${e.message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('each .wasm is exported (tagwise/wasm/*.wasm) and resolves to the built file', () => {
  assert.deepEqual(WASM_SUBPATHS.sort(), ['./wasm/features.wasm', './wasm/node.wasm', './wasm/page.wasm']);
  for (const subpath of WASM_SUBPATHS) {
    const file = fileURLToPath(import.meta.resolve(`tagwise/${subpath.slice(2)}`));
    assert.ok(file.endsWith('.wasm') && existsSync(file), `${subpath} -> ${file}`);
    assert.equal(readFileSync(file).subarray(0, 4).toString('latin1'), '\0asm', `${subpath} is a wasm module`);
  }
});

test('the manifest names a license that ships, and the Node versions the code needs', () => {
  assert.equal(manifest.license, 'MIT');
  assert.match(readFileSync(join(root, 'LICENSE'), 'utf8'), /^MIT License/);
  // require('tagwise') of this ESM package needs require(esm): Node 20.19+.
  assert.equal(manifest.engines.node, '>=20.19');
  const [major, minor] = process.versions.node.split('.').map(Number);
  assert.ok(major > 20 || (major === 20 && minor >= 19), `this Node (${process.versions.node}) is one the package supports`);
});
