// The ErrorCode union in js/index.d.ts lists exactly the codes the core
// reports (core/include/tagwise/error.h, read through the wasm module).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createTagwise } from 'tagwise';

test('index.d.ts ErrorCode union equals the core error codes, in order', async () => {
  const dts = readFileSync(new URL('../../js/index.d.ts', import.meta.url), 'utf8');
  const union = dts.match(/export type ErrorCode =([^;]*);/);
  assert.ok(union, 'ErrorCode union in index.d.ts');
  const declared = [...union[1].matchAll(/'([a-z0-9_]+)'/g)].map((m) => m[1]);
  const tw = await createTagwise();
  assert.deepEqual(declared, tw.errorCodes);
  assert.ok(declared.length >= 14);
});
