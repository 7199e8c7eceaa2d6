// The documentation stays navigable and self-contained (issue 20): the README
// is a front page of at most 250 lines, every relative link in README.md and
// docs/*.md reaches a file of this repository (and, with an #anchor, a heading
// of that file, slugged as GitHub slugs headings), nothing points at the
// folder of shared data beside the checkout, and the one size table is the
// block bench/size/page_bytes.mjs --write fills in docs/benchmarks.md.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const docsDir = join(root, 'docs');
const pages = ['README.md', ...readdirSync(docsDir).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const text = new Map(pages.map((p) => [p, readFileSync(join(root, p), 'utf8')]));

/** The page's lines with those of fenced code blocks (fence lines included) blanked. */
function outsideFences(markdown) {
  let fence = null;
  return markdown.split('\n').map((line) => {
    const m = /^\s*(`{3,}|~{3,})/.exec(line);
    if (m && (fence === null || m[1].startsWith(fence))) {
      fence = fence === null ? m[1] : null;
      return '';
    }
    return fence === null ? line : '';
  });
}

/** The text outside fenced code blocks, inline code and HTML comments (links there are examples). */
function prose(markdown) {
  return outsideFences(markdown).join('\n').replace(/<!--[\s\S]*?-->/g, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's heading anchor: lowercase, punctuation dropped (letters of any script kept), spaces to '-'. */
function slug(heading) {
  const plain = heading
    .replace(/`([^`]*)`/g, '$1')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/[*_]{1,3}([^*_]+)[*_]{1,3}/g, '$1')
    .trim()
    .toLowerCase();
  return plain.replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '').replace(/ /g, '-');
}

/** Every anchor a page offers, with GitHub's -1, -2 … for repeated headings. */
function anchorsOf(markdown) {
  const seen = new Map();
  const anchors = new Set();
  for (const line of outsideFences(markdown)) {
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const base = slug(h[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Link targets: [text](target "title"), ![alt](target), <img src>, <a href>. */
function linksOf(markdown) {
  const body = prose(markdown);
  const out = [];
  for (const m of body.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push(m[1]);
  for (const m of body.matchAll(/<(?:img|a)\s[^>]*?(?:src|href)="([^"]+)"/g)) out.push(m[1]);
  return out;
}

const isExternal = (target) => /^[a-z][a-z0-9+.-]*:/i.test(target);

test('README.md is a front page of at most 250 lines', () => {
  const lines = text.get('README.md').split('\n');
  if (lines.at(-1) === '') lines.pop();
  assert.ok(lines.length <= 250, `README.md has ${lines.length} lines`);
});

test('docs/ has a page per area', () => {
  for (const page of ['rules', 'catalog-and-tags', 'browser-runtime', 'ssr', 'cli', 'recommendations',
    'experiments-and-offers', 'architecture', 'benchmarks', 'hardening', 'contributing']) {
    assert.ok(text.has(`docs/${page}.md`), `docs/${page}.md exists`);
  }
});

test('every relative link in README.md and docs/ reaches a file of the repository, and every #anchor a heading', () => {
  const problems = [];
  let checked = 0;
  for (const [page, markdown] of text) {
    for (const target of linksOf(markdown)) {
      if (isExternal(target)) continue;
      checked += 1;
      const [rawPath, anchor] = target.split('#', 2);
      const path = decodeURIComponent(rawPath);
      const file = path === '' ? join(root, page) : resolve(dirname(join(root, page)), path);
      const inside = relative(root, file);
      if (inside.startsWith('..') || inside.startsWith(sep)) {
        problems.push(`${page}: ${target} points outside the repository`);
        continue;
      }
      if (!existsSync(file)) {
        problems.push(`${page}: ${target} names no file`);
        continue;
      }
      if (anchor !== undefined) {
        if (!file.endsWith('.md') || statSync(file).isDirectory()) {
          problems.push(`${page}: ${target} has an anchor into a file that is not Markdown`);
        } else if (!anchorsOf(readFileSync(file, 'utf8')).has(decodeURIComponent(anchor))) {
          problems.push(`${page}: ${target}: no heading of ${inside} has the anchor #${anchor}`);
        }
      }
    }
  }
  assert.ok(checked > 50, `only ${checked} relative links found: the link pattern is broken`);
  assert.deepEqual(problems, []);
});

test('the documentation stands alone: nothing refers to the shared folder beside the checkout', () => {
  for (const [page, markdown] of text) {
    assert.ok(!markdown.includes('../shared'), `${page} mentions ../shared`);
    for (const target of linksOf(markdown)) {
      assert.ok(!/(^|\/)shared\//.test(target) || isExternal(target), `${page} links to ${target}`);
    }
  }
});

test('there is one size table, the block bench/size/page_bytes.mjs --write fills in docs/benchmarks.md', () => {
  const count = (s, marker) => s.split(marker).length - 1;
  const where = [...text].filter(([, s]) => count(s, '<!-- size-table:begin -->') > 0).map(([p]) => p);
  assert.deepEqual(where, ['docs/benchmarks.md']);
  const page = text.get('docs/benchmarks.md');
  assert.equal(count(page, '<!-- size-table:begin -->'), 1);
  assert.equal(count(page, '<!-- size-table:end -->'), 1);
  const block = page.slice(page.indexOf('<!-- size-table:begin -->'), page.indexOf('<!-- size-table:end -->'));
  assert.match(block, /@generated by `node bench\/size\/page_bytes\.mjs --write/);
  assert.match(block, /\| \*\*page total\*\* \|/, 'the block holds the generated table, not an empty placeholder');
});

test('the package ships the docs the README links to', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.ok(manifest.files.includes('docs/*.md'), 'package.json "files" lists docs/*.md');
});

test('the slug rules match GitHub on the cases these pages use', () => {
  assert.equal(slug('How the .wasm loads and caches'), 'how-the-wasm-loads-and-caches');
  assert.equal(slug('Two commands (fresh Debian 12)'), 'two-commands-fresh-debian-12');
  assert.equal(slug("Targeting conditions (GrowthBook's MongoDB-style syntax)"),
    'targeting-conditions-growthbooks-mongodb-style-syntax');
  assert.equal(slug('`tagwise hints`: the recommendation hint file'), 'tagwise-hints-the-recommendation-hint-file');
  assert.equal(slug('规则编辑 / Rule builder'), '规则编辑--rule-builder');
  assert.equal(slug('snake_case names'), 'snake_case-names');
});
