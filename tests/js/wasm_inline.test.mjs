// tagwise/wasm-inline (js/dist/tagwise_wasm_inline.js, written by
// tools/gen_inline_wasm.mjs after every wasm build) must hold exactly the
// .wasm next to it: the glue's import names change from build to build, so a
// stale copy would not instantiate.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { createTagwise } from 'tagwise';
import { wasmBinary } from 'tagwise/wasm-inline';

test('tagwise/wasm-inline holds the current js/dist/tagwise_wasm.wasm and createTagwise({ wasmBinary }) uses it', async () => {
  const file = await readFile(new URL('../../js/dist/tagwise_wasm.wasm', import.meta.url));
  assert.ok(wasmBinary instanceof Uint8Array);
  assert.ok(Buffer.from(wasmBinary.buffer, wasmBinary.byteOffset, wasmBinary.byteLength).equals(file),
    'js/dist/tagwise_wasm_inline.js is stale: run bash tools/build.sh wasm-module (or node tools/gen_inline_wasm.mjs)');
  const tw = await createTagwise({ wasmBinary });
  assert.equal(tw.evaluate({ cat: ['你好，', { var: '名字' }] }, { 名字: '小明' }), '你好，小明');
});
