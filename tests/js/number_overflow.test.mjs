// A number too large for a double (1e400) in JSON text: an invalid_json error
// value from the wasm boundary, not an "internal failure" (found by
// fuzz/catalog_fuzzer; fuzz/regressions/catalog/number-overflow-1e400).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTagwise } from 'tagwise';

test('a catalog whose text holds 1e400 is refused as invalid JSON, saying which number', async () => {
  const tw = await createTagwise({ storage: 'memory' });
  const r = tw.loadCatalog('{"tags":[{"id":"a","when":{">":[{"var":"x"},1e400]}}]}');
  assert.equal(r.ok, false);
  assert.equal(r.errors[0].code, 'invalid_json');
  assert.match(r.errors[0].message, /number overflow parsing '1e400'/);
  // The instance is intact: a good catalog loads afterwards.
  assert.equal(tw.loadCatalog({ tags: [{ id: 'a', when: true }] }).ok, true);
});
