// Browser half of the SSR demo: start tagwise from the state the server
// embedded, check that the browser computes the same tags, and touch the
// server-rendered badges only when it does not. window.__ssr records what
// happened: { hydrated, mismatches, changed, tags, errors, warnings, catalogMismatch }.
import { createTagwise, readEmbeddedState } from '/js/index.js';
import { badgesHtml, bannerHtml, sameTags, tagNames } from '/render.js';

const report = {
  hydrated: false, mismatches: [], changed: false, tags: [], errors: [], warnings: [], catalogMismatch: false, liveUpdates: 0,
};

function render(tags, names) {
  document.getElementById('tw-badges').innerHTML = badgesHtml(tags, names);
  document.getElementById('tw-banner').innerHTML = bannerHtml(tags);
}

function status(text) {
  document.getElementById('tw-status').textContent = text;
}

try {
  const state = readEmbeddedState();
  const catalog = await (await fetch('/catalog.json')).json();
  const names = tagNames(catalog);
  // Consent: the server rendered with the purposes this visitor agreed to (its
  // records), so the browser starts with the same ones as its default. A
  // choice the visitor made in this browser (tw.consent.set, persisted) wins
  // over them, and hydrate() then lists the tags that differ. The storage is
  // the browser default (IndexedDB).
  const tw = await createTagwise({ catalog, purposes: state?.purposes });
  window.__tagwise = tw;

  let profileLoaded = false;
  if (state !== null) {
    // If the page was rendered with another catalog (a deploy in between), the
    // browser's catalog is the one it will use from now on: it still takes
    // the visitor's profile, and its own tags replace the server's below.
    const r = tw.hydrate(state, { catalogMismatch: 'load' });
    report.hydrated = r.ok;
    report.mismatches = r.mismatches;
    report.errors = r.errors;
    report.warnings = r.warnings ?? [];
    report.catalogMismatch = report.warnings.some((w) => w.code === 'catalog_mismatch');
    profileLoaded = r.ok;
  }

  const toPairs = (tags) => tags.map((t) => [t.id, t.value]);
  report.tags = toPairs(tw.tags());
  if (profileLoaded && !sameTags(state.tags, report.tags)) {
    render(report.tags, names);
    report.changed = true;
    status(`浏览器的标签与服务器不同（${report.mismatches.length} 处），已重新渲染`);
  } else if (profileLoaded) {
    status('已接管：浏览器计算的标签与服务器一致，页面未重绘');
  } else {
    status('未能接管服务器状态，保留服务器渲染的内容');
  }

  // From here on the browser keeps the tags live.
  tw.onTagsChanged(() => {
    report.tags = toPairs(tw.tags());
    report.liveUpdates += 1;
    render(report.tags, names);
  });
  document.getElementById('add-to-cart').addEventListener('click', () => {
    tw.track({ type: 'cart_add', props: { category: '普洱', item: 'LBZ-2019' } });
  });
  document.getElementById('view-again').addEventListener('click', () => {
    tw.track({ type: 'view', props: { category: '普洱', item: 'LBZ-2019' } });
  });
} catch (e) {
  report.errors.push({ code: 'client_error', path: '', message: String(e?.stack ?? e) });
  console.error(e);
} finally {
  window.__ssr = report;
}
