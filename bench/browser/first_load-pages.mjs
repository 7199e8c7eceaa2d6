// Page scripts of bench/browser/first_load.mjs, as source text: the driver
// writes them to a temporary directory and bundles each with esbuild (bundle,
// minify, ESM, splitting), the way a shop ships its storefront script.
// Constants come in through esbuild's `define`: __NOW__ (the fixed clock),
// __IDLE_MS__ (how long the page idles before the idle-warm instance),
// __WASM_URL__ and __FEATURES_WASM_URL__ (the hashed .wasm names).
//
// Both pages put on window.__result:
//   scriptStart    performance.now() (ms since navigation start) when the
//                  bundle starts running: HTML + script fetched and evaluated
//   marks          ms since navigation start at each step; marks.ready is
//                  when the visitor is targeting-ready
//   warm           the same work again in the same page (the code is loaded
//                  and compiled), as durations in ms
//   idleWarm       (tagwise) the same once more after the page has been
//                  idle __IDLE_MS__ ms, in ms
// and what the driver checks against Node (tags / feature values).

/** The tagwise page: createTagwise() and both JSON files in parallel, then loadCatalog, setProfile, tags(). */
export function tagwisePageSource(tagwiseEntry) {
  return `import { createTagwise } from ${JSON.stringify(tagwiseEntry)};

const now = () => performance.now();
const scriptStart = now();
// Every purpose on, so every tag is computed (and the page agrees with Node's run).
const options = {
  clock: () => __NOW__,
  storage: 'memory',
  purposes: ['necessary', 'security', 'personalization', 'marketing', 'analytics'],
  wasmUrl: __WASM_URL__,
  featuresWasmUrl: __FEATURES_WASM_URL__,
};

// The catalog and the profile as fetched bytes (what docs/browser-runtime.md
// recommends): tagwise reads JSON bytes as they are, so the page spends no
// JSON.parse / JSON.stringify on 1,000 events.
async function bytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
  return r.arrayBuffer();
}

function ok(result, what) {
  if (!result.ok) throw new Error(what + ': ' + JSON.stringify(result.errors));
}

const pairs = (tags) => tags.map((t) => [t.id, t.value]);

async function main() {
  const marks = {};
  const [tw, [catalog, profile]] = await Promise.all([
    createTagwise(options).then((v) => { marks.module = now(); return v; }),
    Promise.all([bytes('/data/catalog.json'), bytes('/data/profile.json')]).then((v) => { marks.data = now(); return v; }),
  ]);
  ok(tw.loadCatalog(catalog), 'loadCatalog');
  marks.catalog = now();
  ok(tw.setProfile(profile), 'setProfile');
  marks.profile = now();
  const tags = tw.tags();
  marks.ready = now();

  // Warm: a second instance in the same page; the compiled module is reused.
  const w0 = now();
  const tw2 = await createTagwise(options);
  const w1 = now();
  ok(tw2.loadCatalog(catalog), 'warm loadCatalog');
  const w2 = now();
  ok(tw2.setProfile(profile), 'warm setProfile');
  const w3 = now();
  const warmTags = tw2.tags();
  const w4 = now();
  const warm = { module: w1 - w0, catalog: w2 - w1, profile: w3 - w2, tags: w4 - w3, total: w4 - w0 };

  // Idle warm: another instance once the page has been idle __IDLE_MS__ ms,
  // when V8's optimizing tier has finished with what the first visit made
  // hot (right after ready it still runs on the second core).
  await new Promise((resolve) => setTimeout(resolve, __IDLE_MS__));
  const i0 = now();
  const tw3 = await createTagwise(options);
  ok(tw3.loadCatalog(catalog), 'idle loadCatalog');
  ok(tw3.setProfile(profile), 'idle setProfile');
  const idleTags = tw3.tags();
  const idleWarm = now() - i0;

  // What the lazily fetched full module adds: the first ready('offers')
  // fetches its glue chunk and tagwise_features.wasm and moves the session in.
  const o0 = now();
  await tw.ready('offers');
  const offers = now() - o0;
  const offersTags = tw.tags();

  // Where the cold time went: each fetch's start and end (resource timing).
  const resources = performance.getEntriesByType('resource').map((e) => ({
    name: e.name.split('/').pop(), start: e.startTime, end: e.responseEnd,
  }));
  return {
    scriptStart, marks, warm, idleWarm, offers, resources,
    tags: pairs(tags),
    warmTagsSame: JSON.stringify(pairs(warmTags)) === JSON.stringify(pairs(tags))
      && JSON.stringify(pairs(idleTags)) === JSON.stringify(pairs(tags)),
    offersTagsSame: JSON.stringify(pairs(offersTags)) === JSON.stringify(pairs(tags)),
  };
}

main().then(
  (result) => { window.__result = { ok: true, ...result }; },
  (e) => { window.__result = { ok: false, error: String((e && e.stack) || e) }; },
);
`;
}

/** The GrowthBook page: both JSON files, then new GrowthBook({ attributes, features }) and isOn() of every feature. */
export const GROWTHBOOK_PAGE_SOURCE = `import { GrowthBook } from '@growthbook/growthbook';

const now = () => performance.now();
const scriptStart = now();

async function json(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
  return r.json();
}

function evaluate(gb, keys) {
  const values = {};
  for (const key of keys) values[key] = gb.isOn(key);
  return values;
}

async function main() {
  const marks = {};
  const [features, attributes] = await Promise.all([json('/data/features.json'), json('/data/attributes.json')]);
  marks.data = now();
  const keys = Object.keys(features);
  const gb = new GrowthBook({ attributes, features });
  marks.module = now();
  const values = evaluate(gb, keys);
  marks.ready = now();

  // Warm: a second instance in the same page.
  const w0 = now();
  const gb2 = new GrowthBook({ attributes, features });
  const w1 = now();
  const warmValues = evaluate(gb2, keys);
  const w2 = now();
  const warm = { module: w1 - w0, evaluate: w2 - w1, total: w2 - w0 };

  return { scriptStart, marks, warm, values, warmValuesSame: JSON.stringify(warmValues) === JSON.stringify(values) };
}

main().then(
  (result) => { window.__result = { ok: true, ...result }; },
  (e) => { window.__result = { ok: false, error: String((e && e.stack) || e) }; },
);
`;

/**
 * The HTML document of a page: its bundle, with a modulepreload for each
 * chunk the bundle imports statically (as Vite's output does), so the
 * chunks do not wait for the entry to be parsed.
 */
export function pageHtml(title, script, preloads = [], fetches = []) {
  // modulepreload for the bundle's static chunks; preload (as="fetch", CORS
  // mode as fetch() uses it) for what the script will fetch, so those
  // downloads start with the HTML instead of after the script has run.
  const links = preloads.map((p) => `<link rel="modulepreload" href="${p}">`).join('')
    + fetches.map((f) => `<link rel="preload" href="${f}" as="fetch" crossorigin>`).join('');
  return `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${title}</title>${links}</head>
<body><script type="module" src="${script}"></script></body></html>`;
}
