// tw.lintCatalog (feature "lint"): the catalog's hygiene report, optionally
// with coverage over a sample of profiles, computed by the full module's
// lintCatalog (core/src/tags/lint/). It comes with the full module
// (js/features.js): the page runtime has no linter.

import { catalogToText } from './codec.js';
import { TagwiseError } from './errors.js';

/** The report for `catalog` (object, JSON text or bytes); `o`: lintCatalog's checked options object. */
export function lintCatalog(wasm, catalog, o) {
  const { module, scratch } = wasm;
  const now = wasm.now(o);
  const maxCoreTags = o.maxCoreTags ?? 0;
  if (o.maxCoreTags !== undefined && (!Number.isInteger(maxCoreTags) || maxCoreTags <= 0)) {
    throw new TypeError('tagwise: lintCatalog options.maxCoreTags must be a positive integer');
  }
  const lowCoverage = o.lowCoverage ?? 0;
  if (o.lowCoverage !== undefined && !(typeof lowCoverage === 'number' && lowCoverage > 0 && lowCoverage <= 1)) {
    throw new TypeError('tagwise: lintCatalog options.lowCoverage must be a share in (0, 1]');
  }
  const sample = o.sample;
  if (sample !== undefined && sample !== null && !Array.isArray(sample)) {
    throw new TypeError('tagwise: lintCatalog options.sample must be an array of profiles');
  }
  let text;
  try {
    text = catalogToText(catalog);
  } catch (e) {
    if (!(e instanceof TagwiseError)) throw e;
    const findings = e.errors.map((p) => ({
      severity: 'error', code: p.code, tagId: '', path: p.path, message: p.message,
    }));
    return { findings, coverage: [], sampleSize: 0, warnings: [] };
  }
  let out;
  try {
    scratch.begin();
    const [catOffset, catLen] = scratch.text(text);
    let sampleSpan = [0, 0];
    if (Array.isArray(sample)) {
      try {
        sampleSpan = scratch.records(sample);
      } catch (e) {
        if (e instanceof TagwiseError) {
          throw new TagwiseError(e.errors.map((p) => ({ ...p, path: `/sample${p.path}` })));
        }
        throw e;
      }
    }
    out = module.lintCatalog(scratch.ptr(catOffset), catLen, scratch.ptr(sampleSpan[0]), sampleSpan[1],
      Array.isArray(sample), now, maxCoreTags, lowCoverage);
  } finally {
    scratch.trim();
  }
  const r = JSON.parse(out);
  if (!r.ok) throw new TagwiseError(r.errors);
  return { findings: r.findings, coverage: r.coverage, sampleSize: r.sampleSize, warnings: r.warnings };
}
