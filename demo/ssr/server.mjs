// SSR demo: a plain Node http server renders a product page with the
// visitor's tags (badges and a tag-targeted banner), embeds the tagwise state,
// and the browser (client.js) hydrates from it without re-rendering.
//
//   node demo/ssr/server.mjs            # http://127.0.0.1:8081/?user=xiaowang
//   PORT=9000 node demo/ssr/server.mjs
//
// Tests import createSsrServer({ port: 0, clock }) to run it with a fixed clock.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTagwise, embedState } from 'tagwise';
import { badgesHtml, bannerHtml, escapeHtml, tagNames } from './render.js';

const HERE = fileURLToPath(new URL('./', import.meta.url));
const PACKAGE_JS = fileURLToPath(new URL('../../js/', import.meta.url));
const TYPES = {
  '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', '.json': 'application/json; charset=utf-8',
};
const COOKIE = 'tw_user';
// A visitor without a stored consent choice: the browser's opt-in default.
const ANONYMOUS = { label: '游客（尚未选择同意）', purposes: ['necessary', 'security'], profile: {} };

const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "3d" → ms. */
function duration(text) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(String(text));
  if (m === null) throw new Error(`demo/ssr: bad duration ${JSON.stringify(text)} (use e.g. "3d", "5h")`);
  return Number(m[1]) * UNITS[m[2]];
}

/** The visitor store with every event's "ago" turned into a timestamp at `now`. */
function materialize(visitors, now) {
  const out = {};
  for (const [id, v] of Object.entries(visitors)) {
    const events = (v.profile.events ?? []).map(({ ago, ...e }) => ({ ...e, ts: now - duration(ago) }));
    out[id] = { ...v, profile: { ...v.profile, events } };
  }
  return out;
}

function cookieValue(header, name) {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) {
      try {
        return decodeURIComponent(v.join('='));
      } catch {
        return null;
      }
    }
  }
  return null;
}

function page({ visitorId, visitor, visitors, names, state }) {
  const tags = state.tags;
  const switcher = ['', ...Object.keys(visitors)].map((id) => {
    const name = id === '' ? '游客' : visitors[id].label;
    const current = id === visitorId ? ' aria-current="page"' : '';
    return `<a href="/?user=${encodeURIComponent(id)}"${current}>${escapeHtml(name)}</a>`;
  }).join(' · ');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>茶语 · 2019 老班章普洱生茶饼</title>
<style>
  body { font: 16px/1.5 system-ui, "PingFang SC", "Noto Sans CJK SC", sans-serif; max-width: 46rem; margin: 1.5rem auto; padding: 0 1rem; color: #222; }
  nav { font-size: .85rem; color: #666; } nav a[aria-current] { font-weight: 600; color: #222; }
  #tw-banner { margin: 1rem 0; padding: .6rem 1rem; background: #fff4e0; border-left: 4px solid #d08a1e; }
  .product { display: grid; gap: .25rem; } .price { font-size: 1.4rem; color: #b3261e; }
  #tw-badges { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .4rem; }
  .badge { padding: .1rem .6rem; border-radius: 1rem; background: #e8f0fe; font-size: .9rem; }
  .badge-none { background: #eee; color: #777; }
  #tw-status { font-size: .8rem; color: #666; }
</style>
</head>
<body>
<nav>访客：${switcher}</nav>
<div id="tw-banner">${bannerHtml(tags)}</div>
<main class="product">
  <h1>2019 老班章普洱生茶饼 357g</h1>
  <div class="price">¥ 688</div>
  <p>勐海老班章古树春茶，石磨压制，干仓存放。</p>
  <p><button id="add-to-cart" type="button">加入购物车</button> <button id="view-again" type="button">再看看普洱</button></p>
</main>
<section>
  <h2>你的标签</h2>
  <p>当前访客：<span id="visitor">${escapeHtml(visitor.label)}</span></p>
  <ul id="tw-badges">${badgesHtml(tags, names)}</ul>
  <p id="tw-status">服务器渲染于 ${new Date(state.now).toISOString()}</p>
</section>
${embedState(state)}
<script type="module" src="/client.js"></script>
</body>
</html>
`;
}

/**
 * Starts the demo server. Options: port (default $PORT or 8081; 0 = any free
 * port), host (127.0.0.1), clock (ms; default Date.now), catalogPath,
 * visitorsPath. Resolves to { server, url, close() }.
 */
export async function createSsrServer({
  port = Number(process.env.PORT ?? 8081),
  host = '127.0.0.1',
  clock = Date.now,
  catalogPath = join(HERE, 'catalog.json'),
  visitorsPath = join(HERE, 'visitors.json'),
} = {}) {
  const catalogText = await readFile(catalogPath, 'utf8');
  const catalog = JSON.parse(catalogText);
  const names = tagNames(catalog);
  const visitors = materialize(JSON.parse(await readFile(visitorsPath, 'utf8')).visitors, clock());

  // One runtime for all requests: each request sets the visitor's consent and
  // profile and reads the state synchronously, so requests never interleave.
  // storage: null -- a server keeps nothing between visitors.
  const tw = await createTagwise({ clock, storage: null });
  const loaded = tw.loadCatalog(catalogText);
  if (!loaded.ok) throw new Error(`demo/ssr: ${catalogPath}: ${loaded.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);

  function render(visitorId) {
    const visitor = visitors[visitorId] ?? ANONYMOUS;
    const now = clock();
    tw.setPurposes(visitor.purposes, { now });
    const r = tw.setProfile(visitor.profile, { now });
    if (!r.ok) throw new Error(`demo/ssr: profile of ${visitorId}: ${r.errors.map((e) => e.message).join('; ')}`);
    const state = tw.ssrState({ now });
    return page({ visitorId: visitors[visitorId] ? visitorId : '', visitor, visitors, names, state });
  }

  async function serveFile(res, root, rel) {
    const file = normalize(join(root, rel));
    if (!file.startsWith(root.endsWith(sep) ? root : root + sep) || TYPES[extname(file)] === undefined) return false;
    let body;
    try {
      body = await readFile(file);
    } catch {
      return false;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)], 'cache-control': 'no-cache' });
    res.end(body);
    return true;
  }

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://localhost');
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (url.pathname === '/') {
        const headers = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };
        let visitorId = url.searchParams.get('user');
        if (visitorId !== null) {
          headers['set-cookie'] = `${COOKIE}=${encodeURIComponent(visitorId)}; Path=/; SameSite=Lax; HttpOnly`;
        } else {
          visitorId = cookieValue(req.headers.cookie, COOKIE) ?? '';
        }
        res.writeHead(200, headers);
        res.end(render(visitorId));
        return;
      }
      if (url.pathname === '/catalog.json') {
        res.writeHead(200, { 'content-type': TYPES['.json'], 'cache-control': 'no-cache' });
        res.end(catalogText);
        return;
      }
      let served = false;
      if (url.pathname === '/client.js' || url.pathname === '/render.js') served = await serveFile(res, HERE, url.pathname.slice(1));
      else if (url.pathname.startsWith('/js/')) served = await serveFile(res, PACKAGE_JS, decodeURIComponent(url.pathname.slice(4)));
      if (!served) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('not found');
      }
    } catch (e) {
      console.error(e);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('server error');
    }
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, ok);
  });
  const url = `http://${host}:${server.address().port}/`;
  return { server, url, close: () => new Promise((ok) => server.close(ok)) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url } = await createSsrServer();
  console.log(`tagwise SSR demo: ${url}?user=xiaowang  (visitors: xiaowang, lihua, zhang, wang, mallory; none = guest)`);
}
