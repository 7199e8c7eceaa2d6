// What a storefront page fetches (issue 18), measured the way a shop ships it:
// the package's browser entry bundled by esbuild (--bundle --minify
// --splitting, as a shop's bundler would), every chunk and .wasm at gzip -9.
//
//   page      what createTagwise() fetches: the entry's chunks (static
//             imports) and js/dist/tagwise_page.wasm
//   features  what tw.ready(feature) fetches on top: the full module's glue
//             chunk (a dynamic import) and js/dist/tagwise_features.wasm
//
// measurePageBytes() is used by tests/js/size_budget.test.mjs (the budget) and
// bench/browser/first_load.mjs; run alone it prints the table:
//   node bench/size/page_bytes.mjs [--json]
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const REPO = resolve(new URL('../..', import.meta.url).pathname);
const gz = (buf) => gzipSync(buf, { level: 9 }).length;

/** { page: [{ file, bytes, gzip }], features: [...], pageGzip, featuresGzip } */
export async function measurePageBytes() {
  const out = mkdtempSync(join(tmpdir(), 'tagwise-page-'));
  try {
    const result = await build({
      entryPoints: [join(REPO, 'js/index.js')],
      bundle: true, minify: true, splitting: true, format: 'esm', outdir: out,
      metafile: true, logLevel: 'silent', write: true, loader: { '.wasm': 'file' },
    });
    const outputs = result.metafile.outputs;
    const entry = Object.keys(outputs).find((k) => outputs[k].entryPoint !== undefined);
    // The entry and everything it imports statically is fetched at once; a
    // dynamic import is a chunk fetched on first use.
    const eager = new Set();
    const visit = (file) => {
      if (eager.has(file)) return;
      eager.add(file);
      for (const i of outputs[file].imports) if (i.kind === 'import-statement') visit(i.path);
    };
    visit(entry);
    const row = (name, buf) => ({ file: name, bytes: buf.length, gzip: gz(buf) });
    const page = [];
    const features = [];
    for (const file of Object.keys(outputs).filter((f) => f.endsWith('.js'))) {
      const buf = readFileSync(resolve(file.startsWith('/') ? file : join(process.cwd(), file)));
      if (eager.has(file)) {
        page.push(row(`entry chunk ${basename(file)}`, buf));
        continue;
      }
      // The lazy chunk of js/dist/tagwise_wasm.mjs only loads with
      // options.wasmBinary (the inlined module), never on a page that fetches.
      const inputs = Object.keys(outputs[file].inputs);
      if (inputs.some((i) => i.endsWith('tagwise_features.mjs'))) features.push(row(`lazy chunk ${basename(file)}`, buf));
    }
    page.push(row('js/dist/tagwise_page.wasm', readFileSync(join(REPO, 'js/dist/tagwise_page.wasm'))));
    features.push(row('js/dist/tagwise_features.wasm', readFileSync(join(REPO, 'js/dist/tagwise_features.wasm'))));
    const sum = (rows) => rows.reduce((a, r) => a + r.gzip, 0);
    return { page, features, pageGzip: sum(page), featuresGzip: sum(features) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export function formatPageBytes(m) {
  const kb = (n) => (n / 1024).toFixed(1).padStart(8);
  const lines = ['what                                          bytes KB   gzip KB'];
  const section = (title, rows, total) => {
    lines.push(title);
    for (const r of rows) lines.push(`  ${r.file.padEnd(42)} ${kb(r.bytes)} ${kb(r.gzip)}`);
    lines.push(`  ${'total'.padEnd(42)} ${''.padStart(8)} ${kb(total)}`);
  };
  section('page: createTagwise() + the tag path', m.page, m.pageGzip);
  section('features: fetched by the first tw.ready(feature)', m.features, m.featuresGzip);
  lines.push(`a page that uses everything, loading it up front (createTagwise({ features })): ${kb(m.featuresGzip + m.page.filter((r) => r.file.includes('entry')).reduce((a, r) => a + r.gzip, 0)).trim()} KB gzip`);
  lines.push(`a page that starts with the tag path and then loads a feature: ${kb(m.pageGzip + m.featuresGzip).trim()} KB gzip`);
  return lines.join('\n');
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const m = await measurePageBytes();
  console.log(process.argv.includes('--json') ? JSON.stringify(m, null, 2) : formatPageBytes(m));
}
