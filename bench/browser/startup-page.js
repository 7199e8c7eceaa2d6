// Page script of bench/browser/startup.mjs (served with the repository as the
// web root). Times, with performance.now(), the path from createTagwise() to
// the first tags() result:
//   module      createTagwise(): on a cold page this fetches, compiles and
//               instantiates the .wasm; warm (second call in the page) the
//               compiled module is reused
//   catalog     tw.loadCatalog(50-tag catalog)
//   profile     tw.setProfile(1,000-event profile)
//   tags        the first tw.tags()
// ?variant= picks a start-up variant from VARIANTS below.
import { createTagwise } from '/js/index.js';
import { CATALOG, NOW, PROFILE } from '/__startup/data.js';

const clock = () => NOW;
// Every purpose on, so every tag is computed (and the page agrees with Node's run).
const purposes = ['necessary', 'security', 'personalization', 'marketing', 'analytics'];

/**
 * Start-up variants. Each start(mark) must call mark('module') right after
 * createTagwise resolves, mark('catalog') after loadCatalog, mark('profile')
 * once the profile is in, then return tw.tags() (the driver marks 'tags').
 * Optional seed() runs on the first visit of a browser context (not timed),
 * before the timed visits.
 */
const VARIANTS = {
  // Everything in memory: the page hands the catalog and the whole profile over on every start.
  memory: {
    async start(mark) {
      const tw = await createTagwise({ clock, purposes, storage: 'memory' });
      mark('module');
      const loaded = tw.loadCatalog(CATALOG);
      if (!loaded.ok) throw new Error(`loadCatalog: ${JSON.stringify(loaded.errors)}`);
      mark('catalog');
      const set = tw.setProfile(PROFILE);
      if (!set.ok) throw new Error(`setProfile: ${JSON.stringify(set.errors)}`);
      mark('profile');
      return tw.tags();
    },
  },

  // A returning visitor: the profile was stored in IndexedDB on an earlier
  // visit (seed, not timed); createTagwise() reads it back, so 'module'
  // includes opening the database and decoding the store, and 'profile' is 0.
  indexeddb: {
    async seed() {
      const tw = await createTagwise({ clock, purposes, storage: 'indexedDB', storageKey: 'startup' });
      if (!tw.loadCatalog(CATALOG).ok) throw new Error('loadCatalog failed');
      if (!tw.setProfile(PROFILE).ok) throw new Error('setProfile failed');
      await tw.close();
    },
    async start(mark) {
      const tw = await createTagwise({ clock, purposes, storage: 'indexedDB', storageKey: 'startup', sync: false });
      mark('module');
      const loaded = tw.loadCatalog(CATALOG);
      if (!loaded.ok) throw new Error(`loadCatalog: ${JSON.stringify(loaded.errors)}`);
      mark('catalog');
      mark('profile'); // restored by createTagwise; the driver checks the tags equal Node's

      return tw.tags();
    },
  },
};

async function timed(variant) {
  const marks = {};
  let last = performance.now();
  const t0 = last;
  const mark = (name) => {
    const now = performance.now();
    marks[name] = now - last;
    last = now;
  };
  const tags = await variant.start(mark);
  mark('tags');
  marks.total = performance.now() - t0;
  return { marks, tags, t0 };
}

async function main() {
  const params = new URLSearchParams(location.search);
  const name = params.get('variant') ?? 'memory';
  const variant = VARIANTS[name];
  if (!variant) throw new Error(`start-up variant "${name}" is unknown (known: ${Object.keys(VARIANTS).join(', ')})`);
  if (params.get('seed') === '1') {
    await variant.seed?.();
    return { seeded: true };
  }
  const scriptStart = performance.now(); // ms since navigation start: HTML + module scripts
  const cold = await timed(variant); // first createTagwise of the page
  const warm = await timed(variant); // module already compiled in this page
  const wasm = performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm'));
  return {
    scriptStart,
    cold: cold.marks,
    warm: warm.marks,
    wasmFetch: wasm ? wasm.responseEnd - wasm.startTime : null,
    // When the last .wasm byte arrived, counted from the cold createTagwise() call
    // (streaming compilation overlaps the download; the rest of 'module' is
    // compile tail, instantiation and the glue's init).
    wasmReceived: wasm ? wasm.responseEnd - cold.t0 : null,
    wasmTransferSize: wasm ? wasm.transferSize : null,
    tags: cold.tags.map((t) => [t.id, t.value]),
    warmTagsSame: JSON.stringify(cold.tags) === JSON.stringify(warm.tags),
  };
}

main().then(
  (result) => { window.__result = { ok: true, ...result }; },
  (e) => { window.__result = { ok: false, error: String((e && e.stack) || e) }; },
);
