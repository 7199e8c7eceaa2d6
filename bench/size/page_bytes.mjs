// What a storefront page fetches (issue 18), measured the way a shop ships it:
// the package's browser entry bundled by esbuild (--bundle --minify
// --splitting, as a shop's bundler would), every chunk and .wasm at gzip -9.
//
//   page      what createTagwise() fetches: the entry's chunks (static
//             imports) and js/dist/tagwise_page.wasm
//   features  what tw.ready(feature) fetches on top: the full module's glue
//             chunk and the features' JS chunk (js/features.js), both dynamic
//             imports, and js/dist/tagwise_features.wasm
//
// measurePageBytes() is used by tests/js/size_budget.test.mjs (the budget) and
// bench/browser/first_load.mjs; run alone it prints the table:
//   node bench/size/page_bytes.mjs [--json | --markdown]
//   node bench/size/page_bytes.mjs --write docs/benchmarks.md
// --markdown prints the table as Markdown; --write FILE puts that table
// between the <!-- size-table:begin --> and <!-- size-table:end --> lines of
// FILE, so the one size table in the docs is always this program's output.
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
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
      if (inputs.some((i) => i.endsWith('tagwise_features.mjs') || i.endsWith('js/features.js'))) {
        features.push(row(`lazy chunk ${basename(file)}`, buf));
      }
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

// ---- Command line ----

// The bars issue 18 set (gzip KB); the table says whether they are met.
const PAGE_BAR_KB = 150;
const EVERYTHING_BAR_KB = 300;
const BEGIN = '<!-- size-table:begin -->';
const END = '<!-- size-table:end -->';

/** What each kind of row is, for readers of the table (the file names carry build hashes). */
function describe(file) {
  if (file.startsWith('entry chunk index')) return 'the package\'s JS and the page runtime\'s glue';
  if (file.startsWith('entry chunk')) return 'the package\'s JS the features\' chunk imports too (esbuild\'s shared chunk)';
  if (file.startsWith('lazy chunk tagwise_features')) return 'the full module\'s glue (a dynamic import)';
  if (file.startsWith('lazy chunk')) return 'the features\' JS, js/features.js (a dynamic import)';
  if (file.endsWith('tagwise_page.wasm')) return 'the page runtime (-Oz, LTO): the tag path';
  if (file.endsWith('tagwise_features.wasm')) return 'the full module (-Oz, LTO): everything';
  return '';
}

/** The table as Markdown, with the date it was measured and the command that made it. */
export function markdownPageBytes(m, { date = new Date().toISOString().slice(0, 10), file = 'FILE' } = {}) {
  const kb = (n) => (n / 1024).toFixed(1);
  const bar = (gzip, limit) => `bar ${limit}: ${gzip / 1024 <= limit ? 'met' : '**not met**'}`;
  const entryGzip = m.page.filter((r) => r.file.startsWith('entry chunk')).reduce((a, r) => a + r.gzip, 0);
  const everything = entryGzip + m.featuresGzip;
  const row = (r, when) => `| \`${r.file}\`: ${describe(r.file)} | ${kb(r.bytes)} | ${kb(r.gzip)} | ${when} |`;
  return [
    BEGIN,
    `<!-- @generated by \`node bench/size/page_bytes.mjs --write ${file}\` on ${date}: edit that program, not this table -->`,
    '',
    `Measured ${date} by \`node bench/size/page_bytes.mjs\` (esbuild \`--bundle --minify --splitting\`, gzip -9).`,
    '',
    '| what | raw KB | gzip KB | fetched |',
    '|---|---:|---:|---|',
    ...m.page.map((r) => row(r, 'by `createTagwise()`')),
    `| **page total** | | **${kb(m.pageGzip)}** | ${bar(m.pageGzip, PAGE_BAR_KB)} |`,
    ...m.features.map((r) => row(r, 'by the first `tw.ready(feature)`')),
    `| what \`tw.ready(feature)\` adds | | ${kb(m.featuresGzip)} | |`,
    `| a page using everything from the start, \`createTagwise({ features })\` (entry chunk + full module) | | **${kb(everything)}** | ${bar(everything, EVERYTHING_BAR_KB)} |`,
    `| a page that starts with the tag path, then loads a feature | | ${kb(m.pageGzip + m.featuresGzip)} | |`,
    END,
  ].join('\n');
}

/** Replaces the block between the markers in `text`; throws unless there is exactly one. */
export function replaceSizeTable(text, table) {
  const begin = text.split(BEGIN).length - 1;
  const end = text.split(END).length - 1;
  if (begin !== 1 || end !== 1) throw new Error(`expected one ${BEGIN} and one ${END} line, found ${begin} and ${end}`);
  const from = text.indexOf(BEGIN);
  const to = text.indexOf(END) + END.length;
  if (to < from) throw new Error(`${END} comes before ${BEGIN}`);
  return text.slice(0, from) + table + text.slice(to);
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  let args;
  try {
    ({ values: args } = parseArgs({
      options: { json: { type: 'boolean' }, markdown: { type: 'boolean' }, write: { type: 'string' } },
    }));
  } catch (e) {
    console.error(`${e.message}\nusage: node bench/size/page_bytes.mjs [--json | --markdown | --write FILE]`);
    process.exit(2);
  }
  const m = await measurePageBytes();
  if (args.write !== undefined) {
    const file = resolve(args.write);
    try {
      const table = markdownPageBytes(m, { file: relative(process.cwd(), file) || file });
      writeFileSync(file, replaceSizeTable(readFileSync(file, 'utf8'), table));
    } catch (e) {
      console.error(`page_bytes: ${file}: ${e.message}`);
      process.exit(1);
    }
    console.log(`page_bytes: wrote the size table into ${file}`);
  } else if (args.markdown) {
    console.log(markdownPageBytes(m));
  } else {
    console.log(args.json ? JSON.stringify(m, null, 2) : formatPageBytes(m));
  }
}
