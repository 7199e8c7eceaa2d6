// How the benchmarks (bench/browser/*, tools/demo_capture.mjs --budget)
// launch Chromium and read a value from the page they time: one place, so
// every timed page runs under the same conditions.

/**
 * Launch flags. Besides the usual quiet-profile ones, the browser's own WebUI
 * renderers are not preloaded at launch (the omnibox popup): traced, one such
 * renderer kept a core of this 2-core VM busy for ~0.5 s right while the first
 * visit loaded, in a browser a user would have had open long before.
 */
export const BENCH_CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic', '--disable-features=PreloadTopChromeWebUI,WebUIOmniboxPopup',
];

/**
 * The value of `expression` in the page once it is neither undefined nor
 * null, read over the raw DevTools protocol (`cdp`, a CDPSession of the page).
 * Not page.waitForFunction / page.evaluate: for those Playwright injects its
 * ~330 KB helper script into the page, which (traced) took ~58 ms of the main
 * thread in the middle of a page still starting up after its load event.
 * The page polls itself every 25 ms (a property read per tick).
 */
export async function pageValue(cdp, expression, { what = expression, timeoutMs = 60_000 } = {}) {
  const poll = `new Promise((resolve) => { const poll = () => { const v = (${expression}); `
    + 'if (v !== undefined && v !== null) resolve(v); else setTimeout(poll, 25); }; poll(); })';
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    const r = await Promise.race([cdp.send('Runtime.evaluate', { expression: poll, awaitPromise: true, returnByValue: true }), timeout]);
    if (r.exceptionDetails) throw new Error(`${what}: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value;
  } finally {
    clearTimeout(timer);
  }
}
