// An instance's life in Node (issue 20): dispose() frees the wasm session at
// once (an SSR server's one instance per request), later calls throw, and
// `await using` works through Symbol.asyncDispose; loading failures are
// TagwiseErrors with codes, and a precompiled WebAssembly.Module
// (createTagwise({ wasmModule }), as edge runtimes hand over) is used as is.
// The browser side (HTTP 404, CSP, workers): tests/browser/loading.test.mjs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createTagwise, TagwiseError } from 'tagwise';

const CATALOG = { tags: [{ id: 'buyer', name: '买家', when: { '>=': [{ events: [{ type: 'order_paid' }] }, 1] } }] };
const NOW = Date.UTC(2026, 11, 1);
const PROFILE = { user_id: 'u1', events: [{ id: 'e1', type: 'order_paid', ts: NOW - 1000, props: { amount: 30 } }] };
const NODE_WASM = new URL('../../js/dist/tagwise_wasm.wasm', import.meta.url);

async function rejectsWith(promise, code, pattern) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof TagwiseError, `a TagwiseError, not ${e?.name}: ${e?.message}`);
    assert.equal(e.code, code);
    assert.match(e.message, pattern);
    return true;
  });
}

test('dispose() frees the session: later calls throw, a second dispose() is a no-op', async () => {
  const tw = await createTagwise({ clock: () => NOW });
  assert.ok(tw.loadCatalog(CATALOG).ok);
  assert.ok(tw.setProfile(PROFILE).ok);
  assert.deepEqual(tw.tags().map((t) => t.id), ['buyer']);
  let changes = 0;
  tw.onTagsChanged(() => { changes += 1; });
  await tw.dispose();
  await tw.dispose();
  for (const call of [() => tw.tags(), () => tw.tagDecisions(), () => tw.track({ type: 'order_paid' }),
    () => tw.setProfile(PROFILE), () => tw.loadCatalog(CATALOG), () => tw.explain('buyer')]) {
    assert.throws(call, /this instance was disposed/);
  }
  assert.equal(changes, 0, 'listeners are dropped, not called');
  // Other instances over the same module are not affected.
  const other = await createTagwise({ clock: () => NOW });
  assert.ok(other.loadCatalog(CATALOG).ok);
  assert.deepEqual(other.tags().map((t) => t.id), []);
});

test('an instance that never made a session still refuses calls once disposed', async () => {
  const tw = await createTagwise();
  await tw.dispose();
  assert.throws(() => tw.tags(), /disposed/);
});

test('Symbol.asyncDispose is dispose(), so `await using` frees the instance at the end of its block', async () => {
  const tw = await createTagwise({ clock: () => NOW });
  assert.equal(typeof tw[Symbol.asyncDispose], 'function');
  tw.loadCatalog(CATALOG);
  await tw[Symbol.asyncDispose]();
  assert.throws(() => tw.tags(), /disposed/);
});

test('a .wasm that cannot be read rejects createTagwise() with wasm_fetch_failed', async () => {
  await rejectsWith(createTagwise({ wasmUrl: new URL('file:///no/such/tagwise.wasm') }), 'wasm_fetch_failed', /\/no\/such\/tagwise\.wasm/);
});

test('bytes that are not a wasm module reject with wasm_compile_failed, naming the minimum engines', async () => {
  await rejectsWith(createTagwise({ wasmBinary: new TextEncoder().encode('<!doctype html>') }), 'wasm_compile_failed', /Chrome 95/);
});

test('a valid wasm module that is not tagwise\'s rejects with wasm_compile_failed instead of crashing in the glue', async () => {
  const empty = new WebAssembly.Module(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
  await rejectsWith(createTagwise({ wasmModule: empty }), 'wasm_compile_failed', /does not match/);
});

test('createTagwise({ wasmModule }) instantiates a compiled tagwise/wasm/node.wasm and gives the same tags', async () => {
  const module = await WebAssembly.compile(readFileSync(NODE_WASM));
  const tw = await createTagwise({ wasmModule: module, clock: () => NOW });
  assert.ok(tw.has('offers') && tw.has('conditions'), 'the full module: every feature is loaded');
  assert.ok(tw.loadCatalog(CATALOG).ok);
  assert.ok(tw.setProfile(PROFILE).ok);
  assert.deepEqual(tw.tags().map((t) => t.id), ['buyer']);
  // The module is compiled once and shared by instances made from it.
  const again = await createTagwise({ wasmModule: module });
  assert.equal(again.evaluate({ '>': [{ var: 'x' }, 1] }, { x: 2 }), true);
});
