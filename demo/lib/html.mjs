// The HTML shell every demo page shares: the import map that lets pages write
// `import { createTagwise } from "tagwise"` exactly as a shop's page would
// (served from /pkg/<content hash>/, the package's own files, immutable), the shared
// stylesheet and language toggle, and a strict Content-Security-Policy whose
// only inline script allowance is the import map's hash.
import { createHash } from 'node:crypto';

import { PACKAGE_PREFIX } from './package_url.mjs';

export const IMPORT_MAP = JSON.stringify({
  imports: {
    tagwise: `${PACKAGE_PREFIX}js/index.js`,
    'tagwise/wasm-inline': `${PACKAGE_PREFIX}js/dist/tagwise_wasm_inline.js`,
    sortablejs: '/vendor/sortablejs/modular/sortable.esm.js',
  },
});
const IMPORT_MAP_HASH = createHash('sha256').update(IMPORT_MAP).digest('base64');

/**
 * The Content-Security-Policy of every page: scripts from this origin only
 * (plus the import map by hash), WebAssembly compilation allowed, no eval.
 */
export const CSP = [
  "default-src 'self'",
  `script-src 'self' 'wasm-unsafe-eval' 'sha256-${IMPORT_MAP_HASH}'`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** The UI language from the `lang` cookie ("zh" default, or "en"). */
export function languageOf(req) {
  const m = /(?:^|;\s*)lang=(zh|en)(?:;|$)/.exec(req.headers.cookie ?? '');
  return m ? m[1] : 'zh';
}

/**
 * A full HTML document. `head` and `body` are trusted HTML strings (escape
 * what you interpolate); `scripts` are module URLs loaded after the body.
 */
export function page({ lang = 'zh', title, head = '', body, scripts = [], bodyClass = '' }) {
  return `<!doctype html>
<html lang="${lang === 'en' ? 'en' : 'zh-CN'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<script type="importmap">${IMPORT_MAP}</script>
<link rel="stylesheet" href="/assets/base.css">
${head}
</head>
<body class="${escapeHtml(bodyClass)}">
${body}
${scripts.map((src) => `<script type="module" src="${escapeHtml(src)}"></script>`).join('\n')}
</body>
</html>
`;
}

/** Sends an HTML page with the demo's security headers. */
export function sendHtml(res, html, status = 200) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'cache-control': 'no-store',
  });
  res.end(html);
}

export function sendJson(res, value, status = 200) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(value));
}

/** Reads a JSON request body (at most `limit` bytes); throws a 400-able Error. */
export async function readJsonBody(req, limit = 1 << 20) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw Object.assign(new Error(`request body over ${limit} bytes`), { status: 413 });
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
  } catch (e) {
    throw Object.assign(new Error(`request body is not JSON: ${e.message}`), { status: 400 });
  }
}
