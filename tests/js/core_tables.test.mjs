// The closed sets the core defines and js/index.d.ts spells out as unions
// (STYLE.md 15: listed once for C++ and TS, or checked by a test): each union
// must list exactly the values the wasm module reports, in the core's order.
//   ErrorCode       core/include/tagwise/error.h     tw.errorCodes
//   Purpose         core/include/tagwise/purposes.h  tw.consentPurposes (and js/purposes.js)
//   DecisionSource  DecisionSourceName in the core   tw.decisionSources
//   LintCode        core/include/tagwise/lint.h      tw.lintCodes (plus ErrorCode)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createTagwise } from 'tagwise';

// Not part of the package's API: the JS copy of the purposes, checked here
// against the core so the two cannot drift.
import { PURPOSES } from '../../js/purposes.js';

const DTS = readFileSync(new URL('../../js/index.d.ts', import.meta.url), 'utf8');

/** The string literals of `export type <name> = ...;` in index.d.ts, in order (type names in the union are skipped). */
function unionLiterals(name) {
  const union = DTS.match(new RegExp(`export type ${name} =([^;]*);`));
  assert.ok(union, `${name} union in index.d.ts`);
  return [...union[1].matchAll(/'([A-Za-z0-9_]+)'/g)].map((m) => m[1]);
}

test('index.d.ts ErrorCode union equals the core error codes, in order', async () => {
  const declared = unionLiterals('ErrorCode');
  const tw = await createTagwise();
  assert.deepEqual(declared, tw.errorCodes);
  assert.ok(declared.length >= 14);
});

test('the Purpose union, js/purposes.js and the core list the same consent purposes, in order', async () => {
  const tw = await createTagwise();
  assert.deepEqual(unionLiterals('Purpose'), tw.consentPurposes);
  assert.deepEqual([...PURPOSES], tw.consentPurposes);
  assert.equal(tw.consentPurposes[0], 'necessary', 'necessary comes first: it is always granted');
  assert.ok(Object.isFrozen(PURPOSES), 'the JS table cannot be changed by a caller');
});

test('index.d.ts DecisionSource union equals the core decision sources, in order', async () => {
  const tw = await createTagwise();
  const declared = unionLiterals('DecisionSource');
  assert.deepEqual(declared, tw.decisionSources);
  assert.ok(declared.includes('exclusiveLoser') && declared.includes('consentDenied'));
});

test('index.d.ts LintCode union lists exactly the core lint codes besides ErrorCode', async () => {
  const tw = await createTagwise();
  const declared = unionLiterals('LintCode');
  assert.match(DTS, /export type LintCode =[^;]*\| ErrorCode;/, 'LintCode also admits the catalog loader\'s ErrorCodes');
  // Findings come in catalog order, not code order, so the union's order
  // carries no meaning: compared as sets.
  assert.deepEqual([...declared].sort(), [...tw.lintCodes].sort());
  assert.equal(new Set(tw.lintCodes).size, tw.lintCodes.length, 'no code listed twice');
});

test('the core tables are fresh arrays: changing one does not change the next read', async () => {
  const tw = await createTagwise();
  for (const name of ['errorCodes', 'consentPurposes', 'decisionSources', 'lintCodes']) {
    const first = tw[name];
    assert.ok(Array.isArray(first) && first.every((v) => typeof v === 'string'), `${name} is an array of strings`);
    first.push('changed');
    assert.ok(!tw[name].includes('changed'), name);
  }
});
