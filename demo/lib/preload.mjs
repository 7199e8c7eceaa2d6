// <link rel=modulepreload|preload> tags for a page's whole ES module graph and
// its data. Without them the browser discovers the graph one level per round
// trip (page → app.js → tagwise/index.js → tagwise.js → session.js …) and only
// then fetches the .wasm and the data: ~four round trips before WebAssembly
// compilation can start. The graph is read from the files' static imports once.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import { escapeHtml } from './html.mjs';
import { PACKAGE_PREFIX } from './package_url.mjs';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const STATIC_IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;

/** File → URL for the mounts the demo server serves (see demo/server.mjs). */
const MOUNTS = [
  [join(REPO, 'js') + sep, `${PACKAGE_PREFIX}js/`],
  [join(REPO, 'demo', 'shop', 'public') + sep, '/shop/'],
  [join(REPO, 'demo', 'console', 'public') + sep, '/console/assets/'],
  [join(REPO, 'demo', 'public') + sep, '/assets/'],
];
const BARE = { tagwise: join(REPO, 'js', 'index.js') };

function urlOf(file) {
  for (const [dir, url] of MOUNTS) {
    if (file.startsWith(dir)) return url + relative(dir, file).split(sep).join('/');
  }
  return null;
}

function fileOf(url) {
  for (const [dir, prefix] of MOUNTS) {
    if (url.startsWith(prefix)) return join(dir, url.slice(prefix.length));
  }
  return null;
}

/** Every module file reachable by static imports from `entry` (a file path), entry first. */
function moduleGraph(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      const spec = m[1] ?? m[2];
      if (BARE[spec]) visit(BARE[spec]);
      else if (spec.startsWith('.')) visit(join(dirname(file), spec));
    }
  };
  visit(entry);
  return [...seen];
}

const cache = new Map();

/**
 * The preload tags for a page whose module script is `entryUrl` (e.g.
 * "/shop/app.js") and that fetches `fetches` (URLs) and a tagwise module:
 * `module` "page" (the page runtime createTagwise() loads by default) or
 * "features" (the full module, createTagwise({ features }): its glue is a
 * dynamic import the graph does not show, so it is preloaded too).
 */
export function preloadTags(entryUrl, fetches = [], module = 'page') {
  const key = `${entryUrl}\u0000${fetches.join('\u0000')}\u0000${module}`;
  let tags = cache.get(key);
  if (tags === undefined) {
    const modules = moduleGraph(fileOf(entryUrl)).map(urlOf).filter((u) => u !== null);
    const dist = `${PACKAGE_PREFIX}js/dist`;
    if (module === 'features') modules.push(`${dist}/tagwise_features.mjs`);
    tags = [
      // The glue fetches the .wasm with credentials "same-origin": crossorigin=anonymous matches it.
      `<link rel="preload" href="${dist}/tagwise_${module}.wasm" as="fetch" type="application/wasm" crossorigin="anonymous">`,
      ...fetches.map((u) => `<link rel="preload" href="${escapeHtml(u)}" as="fetch" crossorigin="anonymous">`),
      ...modules.map((u) => `<link rel="modulepreload" href="${escapeHtml(u)}">`),
    ].join('\n');
    cache.set(key, tags);
  }
  return tags;
}
