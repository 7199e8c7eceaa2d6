// Size profile of the page module (a program, not a test): who owns each KB
// of js/dist/tagwise_wasm.wasm. Links the module once more with function
// names kept (--profiling-funcs: the same code, plus a name section), reads
// every function body's size from the code section, and attributes each
// function to the core folder (core/src/<folder>/), wasm/ binding file or
// library that defines it, from the symbols of the build's object files.
// Template code instantiated in several folders (nlohmann::json, std::) is
// its own row. gzip sizes per row compress that row's bodies alone, so they
// add up to a little more than the whole file's gzip size (printed too).
//
//   bash tools/build.sh wasm-module && node bench/size/profile.mjs [--top 15] [--json]
//
// Needs the build tree build-wasm/ (objects and link command) and Debian's
// emscripten (em++, llvm-nm).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const { values: args } = parseArgs({
  options: {
    top: { type: 'string', default: '15' },
    json: { type: 'boolean', default: false },
    build: { type: 'string', default: 'build-wasm' },
    target: { type: 'string', default: 'tagwise_wasm' },
    functions: { type: 'string', default: '0' },
  },
});
const REPO = resolve(new URL('../..', import.meta.url).pathname);
const BUILD = resolve(REPO, args.build);
const NM = '/usr/lib/llvm-14/bin/llvm-nm';
const gz = (buf) => gzipSync(buf, { level: 9 }).length;

// ---- relink with names
const dir = mkdtempSync(join(tmpdir(), 'tagwise-size-'));
const link = readFileSync(join(BUILD, `CMakeFiles/${args.target}.dir/link.txt`), 'utf8').trim().split(/\s+/);
const out = join(dir, 'named.mjs');
const shippedGlue = resolve(BUILD, link[link.indexOf('-o') + 1]);
const cmd = link.map((a, i) => (i > 0 && link[i - 1] === '-o' ? out : a));
execFileSync(cmd[0], [...cmd.slice(1), '--profiling-funcs'], {
  cwd: BUILD, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_PATH: '/usr/share/nodejs' },
});
const wasm = readFileSync(join(dir, 'named.wasm'));
const shipped = readFileSync(shippedGlue.replace(/\.mjs$/, '.wasm'));
const glue = readFileSync(shippedGlue);

// ---- read the module: section sizes, function bodies, names
function readModule(b) {
  let p = 8;
  const u32 = () => {
    let r = 0, s = 0, x;
    do { x = b[p++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80);
    return r;
  };
  const sections = [];
  const bodies = [];
  const names = new Map();
  let imported = 0;
  while (p < b.length) {
    const id = b[p++];
    const size = u32();
    const start = p;
    const end = p + size;
    sections.push({ id, size });
    if (id === 2) {
      for (let n = u32(); n > 0; n--) {
        // Module and field names: read the length first (`p += u32()` would
        // add it to p as it was before the length's own bytes).
        for (let k = 0; k < 2; k++) { const l = u32(); p += l; }
        const kind = b[p++];
        if (kind === 0) { u32(); imported++; } else if (kind === 1) { p++; const f = u32(); u32(); if (f & 1) u32(); } else if (kind === 2) { const f = u32(); u32(); if (f & 1) u32(); } else if (kind === 3) { p += 2; } else { p++; u32(); }
      }
    } else if (id === 10) {
      for (let n = u32(); n > 0; n--) { const s = u32(); bodies.push(b.subarray(p, p + s)); p += s; }
    } else if (id === 0) {
      const l = u32();
      const name = b.toString('utf8', p, p + l); p += l;
      if (name === 'name') {
        while (p < end) {
          const sub = b[p++]; const ss = u32(); const se = p + ss;
          if (sub === 1) for (let n = u32(); n > 0; n--) { const i = u32(); const nl = u32(); names.set(i, b.toString('utf8', p, p + nl)); p += nl; }
          p = se;
        }
      }
    }
    p = start + size;
  }
  return { sections, bodies, names, imported };
}
const mod = readModule(wasm);

// ---- who defines what: demangled function symbols of each object file
function objects(root) {
  const found = [];
  const walk = (d) => { for (const e of readdirSync(d)) { const f = join(d, e); if (statSync(f).isDirectory()) walk(f); else if (f.endsWith('.o')) found.push(f); } };
  walk(root);
  return found;
}
const owner = new Map();  // demangled name -> owner label, or '(shared)'
const label = (obj) => {
  const rel = relative(BUILD, obj);
  let m = rel.match(/core\/src\/([a-z_]+)\//);
  if (m) return `core/src/${m[1]}/`;
  m = rel.match(/wasm\/([a-z_]+)\.cpp/);
  return m ? `wasm/${m[1]}.cpp` : rel;
};
// The core is built twice in the wasm build (tagwise_core -O3, tagwise_core_small -Oz): the same
// sources, so either copy names the same owner.
const coreDirs = ['tagwise_core', 'tagwise_core_small'].map((d) => join(BUILD, `CMakeFiles/${d}.dir`))
  .filter((d) => { try { return statSync(d).isDirectory(); } catch { return false; } });
for (const obj of [...coreDirs.flatMap((d) => objects(d)), ...objects(join(BUILD, `CMakeFiles/${args.target}.dir`))]) {
  const lines = execFileSync(NM, ['--defined-only', '-C', obj], { encoding: 'utf8', maxBuffer: 1 << 28 }).split('\n');
  for (const line of lines) {
    // LTO objects are bitcode: llvm-nm prints their symbols without an address (--------).
    const m = line.match(/^(?:[0-9a-f]+|-+) ([TtWw]) (.*)$/);
    if (!m) continue;
    const who = label(obj);
    const before = owner.get(m[2]);
    owner.set(m[2], before === undefined || before === who ? who : '(shared)');
  }
}

function ownerOf(name) {
  const plain = name.replace(/\.\d+$/, '');
  const who = owner.get(plain);
  if (who && who !== '(shared)') return who;
  if (/nlohmann::/.test(plain)) return 'nlohmann::json templates';
  if (who === '(shared)') return 'std:: templates shared by folders';
  if (/^emscripten::|^_embind|embind/.test(plain)) return 'embind runtime';
  return 'libc++ / libc / malloc';
}

const rows = new Map();
mod.bodies.forEach((body, i) => {
  const name = mod.names.get(i + mod.imported) ?? `function ${i}`;
  const who = ownerOf(name);
  const r = rows.get(who) ?? { owner: who, bytes: 0, parts: [], functions: 0, biggest: [] };
  r.bytes += body.length; r.parts.push(body); r.functions++;
  r.biggest.push([body.length, name]);
  rows.set(who, r);
});
const data = mod.sections.filter((s) => s.id === 11).reduce((a, s) => a + s.size, 0);
const named = [...rows.values()].map((r) => ({
  owner: r.owner, functions: r.functions, bytes: r.bytes, gzip: gz(Buffer.concat(r.parts)),
  biggest: r.biggest.sort((a, b) => b[0] - a[0]).slice(0, 3).map(([s, n]) => `${s} ${n.slice(0, 90)}`),
})).sort((a, b) => b.bytes - a.bytes);

const summary = {
  wasmBytes: shipped.length, wasmGzip: gz(shipped), glueBytes: glue.length, glueGzip: gz(glue),
  totalGzip: gz(shipped) + gz(glue), codeBytes: named.reduce((a, r) => a + r.bytes, 0), dataBytes: data,
};
const allFunctions = mod.bodies.map((body, i) => [body.length, mod.names.get(i + mod.imported) ?? `function ${i}`])
  .sort((a, b) => b[0] - a[0]);
if (args.json) {
  console.log(JSON.stringify({ summary, rows: named }, null, 2));
} else {
  const kb = (n) => (n / 1024).toFixed(1).padStart(7);
  console.log(`page module: .wasm ${kb(summary.wasmBytes)} KB (gzip ${kb(summary.wasmGzip)} KB), JS glue ${kb(summary.glueBytes)} KB (gzip ${kb(summary.glueGzip)} KB); total gzip ${kb(summary.totalGzip)} KB`);
  console.log(`code ${kb(summary.codeBytes)} KB in ${mod.bodies.length} functions, data ${kb(data)} KB\n`);
  console.log('owner                                     functions     KB   gzip KB  share');
  for (const r of named) {
    console.log(`${r.owner.padEnd(40)} ${String(r.functions).padStart(10)} ${kb(r.bytes)} ${kb(r.gzip)}  ${((100 * r.bytes) / summary.codeBytes).toFixed(1).padStart(5)}%`);
  }
  const top = Number(args.top);
  if (top > 0) {
    console.log(`\nlargest functions of the ${Math.min(top, named.length)} largest owners:`);
    for (const r of named.slice(0, top)) console.log(`  ${r.owner}\n    ${r.biggest.join('\n    ')}`);
  }
  const n = Number(args.functions);
  if (n > 0) {
    console.log(`\nthe ${n} largest functions:`);
    for (const [size, name] of allFunctions.slice(0, n)) console.log(`  ${String(size).padStart(6)} ${name.slice(0, 110)}`);
  }
}
