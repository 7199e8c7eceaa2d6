// Shared helpers for the package tests (not a test file: node --test skips it).
import { existsSync, readFileSync, readdirSync } from 'node:fs';

import { prng } from '../../bench/prng.mjs';

/** Repository root and the shared folder beside it (conformance suites live there). */
export const REPO_ROOT = new URL('../../', import.meta.url);
export const SHARED = new URL('../../../shared/', import.meta.url);
export const COMMUNITY = new URL('conformance/jsonlogic/community/', SHARED);

export function readJson(url) {
  return JSON.parse(readFileSync(url, 'utf8'));
}

/** The official suite's [rule, data, expected] cases (comment strings dropped). */
export function officialCases() {
  return readJson(new URL('conformance/jsonlogic/tests.json', SHARED)).filter((c) => Array.isArray(c));
}

/** [{ file, cases: [{description, rule, data, result?, error?}] }] in index.json order. */
export function communitySuites() {
  return readJson(new URL('index.json', COMMUNITY)).map((file) => ({
    file,
    cases: readJson(new URL(file, COMMUNITY)).filter((c) => c !== null && typeof c === 'object'),
  }));
}

/** The shared list of community cases where tagwise follows json-logic-js instead. */
export function expectedCommunityDifferences() {
  const url = new URL('tests/fixtures/community_expected_differences.json', REPO_ROOT);
  return existsSync(url) ? readJson(url) : {};
}

/** The shared rule fixtures: [{ file, specVersion, cases }]. */
export function ruleFixtures() {
  const dir = new URL('tests/fixtures/rules/', REPO_ROOT);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((file) => ({
    file, ...readJson(new URL(file, dir)),
  }));
}

/** Runs fn(), returning { value } or { error }. */
export function outcome(fn) {
  try {
    return { value: fn() };
  } catch (error) {
    return { error };
  }
}

/** Seeded choices for the generators of the differential tests (mulberry32, bench/prng.mjs). */
export class Gen {
  constructor(seed) { this.rand = prng(seed); }
  int(lo, hi) { return lo + Math.floor(this.rand() * (hi - lo + 1)); }
  pick(list) { return list[Math.floor(this.rand() * list.length)]; }
  chance(p) { return this.rand() < p; }
}
