// Where pages load the tagwise package from: a URL with the package's content
// hash in it (/pkg/<hash>/js/index.js), served with
// `Cache-Control: public, max-age=31536000, immutable`. A returning visitor's
// browser then uses its copies of the modules and the .wasm without asking
// (no revalidation round trips); a new build has a new hash, so new URLs, and
// a page never mixes versions. The hash covers what the page can load (js/,
// which holds the .wasm, and package.json) as it is when the server starts:
// rebuild, then restart the server.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** What the package mount serves: the files `npm pack` would ship to a page. */
export const PACKAGE_FILES = ['js/', 'package.json'];

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? filesUnder(path) : [path];
  });
}

/** A short content hash of the package files (sorted paths and their bytes). */
function packageHash() {
  const hash = createHash('sha256');
  const files = [...filesUnder(join(REPO, 'js')), join(REPO, 'package.json')].sort();
  for (const file of files) {
    hash.update(relative(REPO, file).split(sep).join('/')).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('base64url').slice(0, 16);
}

/** "/pkg/<hash>/": the package root URL pages import from (immutable). */
export const PACKAGE_PREFIX = `/pkg/${packageHash()}/`;
