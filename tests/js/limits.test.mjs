// The input-size limits through the package (issue 9): an input over a limit
// is a clear `too_large` error or warning with its path, the instance keeps
// its previous state and keeps working. The core's tests (tests/core/
// limits_test.cpp) pin each limit's exact boundary; these pin that the wasm
// boundary applies the same limits and reports them as values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTagwise, TagwiseError } from 'tagwise';

const NOW = Date.UTC(2026, 10, 23);
const MiB = 1 << 20;
const CATALOG = {
  tagwise: 1,
  tags: [{ id: 'buyer', name: '购买用户', when: { '>=': [{ events: { type: 'order_paid', agg: 'count' } }, 1] } }],
};

async function instance() {
  const tw = await createTagwise({ clock: () => NOW });
  assert.equal(tw.loadCatalog(CATALOG).ok, true);
  return tw;
}

const order = (id, props = { amount: 30 }) => ({ id, type: 'order_paid', ts: NOW - 1000, props });
const heldIds = (tw) => tw.tags().map((t) => t.id);

test('a catalog over 16 MiB is refused before parsing; the loaded one stays', async () => {
  const tw = await instance();
  const padded = JSON.stringify({ tagwise: 1, tags: [] }) + ' '.repeat(16 * MiB);
  const r = tw.loadCatalog(padded);
  assert.equal(r.ok, false);
  assert.equal(r.errors[0].code, 'too_large');
  assert.match(r.errors[0].message, /catalog is 16\.0 MB .*the limit is 16\.0 MB \(16777216 bytes\)/);
  tw.track(order('o1'));
  assert.deepEqual(heldIds(tw), ['buyer'], 'the previous catalog still tags');
  // lintCatalog reports the unreadable catalog as its finding.
  const report = tw.lintCatalog(padded);
  assert.deepEqual(report.findings.map((f) => f.code), ['too_large']);
});

test('tag ids over 256 bytes and names over 4,096 bytes are errors at their paths', async () => {
  const tw = await instance();
  const r = tw.loadCatalog({
    tagwise: 1,
    tags: [
      { id: 'x'.repeat(257), when: true },
      { id: 'named', name: '名'.repeat(1366), when: true },  // 4,098 bytes of UTF-8
    ],
  });
  assert.equal(r.ok, false);
  assert.deepEqual(r.errors.map((e) => [e.code, e.path]), [['too_large', '/tags/0/id'], ['too_large', '/tags/1/name']]);
  assert.match(r.errors[1].message, /4098 bytes; the limit is 4096/);
});

test('an event whose props pass 64 KiB is refused with its path; the others in the batch are added', async () => {
  const tw = await instance();
  const huge = { amount: 30, page: 'x'.repeat(70_000) };
  const one = tw.track(order('big', huge));
  assert.equal(one.added, 0);
  assert.deepEqual(one.errors.map((e) => [e.code, e.path]), [['too_large', '/props']]);
  const many = tw.trackMany([order('a'), order('big', huge), order('b', { amount: 5, note: 'x'.repeat(60_000) })]);
  assert.equal(many.added, 2);
  assert.deepEqual(many.errors.map((e) => [e.code, e.path]), [['too_large', '/1/props']]);
  assert.deepEqual(tw.getProfile().events.map((e) => e.id), ['a', 'b']);
});

test('a stored profile keeps its events and skips, with a warning, one whose props are too large', async () => {
  const tw = await instance();
  const r = tw.setProfile({ user_id: 'u1', events: [order('big', { blob: 'x'.repeat(70_000) }), order('ok')] });
  assert.equal(r.ok, true);
  assert.deepEqual(r.warnings.map((w) => [w.code, w.path]), [['too_large', '/events/0/props']]);
  assert.deepEqual(tw.getProfile().events.map((e) => e.id), ['ok']);
  assert.deepEqual(heldIds(tw), ['buyer']);
});

test('a profile over 32 MiB is refused before parsing; the current profile stays', async () => {
  const tw = await instance();
  tw.track(order('mine'));
  const padded = JSON.stringify({ user_id: 'u2', events: [] }) + ' '.repeat(32 * MiB);
  const r = tw.setProfile(padded);
  assert.equal(r.ok, false);
  assert.equal(r.errors[0].code, 'too_large');
  assert.match(r.errors[0].message, /profile is 32\.0 MB/);
  assert.deepEqual(tw.getProfile().events.map((e) => e.id), ['mine']);
});

test('a rule over 16 MiB is a too_large TagwiseError; a large allow-list under it compiles', async () => {
  const tw = await instance();
  const skus = Array.from({ length: 200_000 }, (_, i) => `sku-${i}`);  // about 2.5 MB
  assert.equal(tw.compileRule({ in: [{ var: 'sku' }, skus] }).evaluate({ sku: 'sku-5' }), true);
  const tooBig = { in: [{ var: 'sku' }, Array.from({ length: 1_500_000 }, (_, i) => `sku-${i}`)] };  // about 19 MB
  assert.throws(() => tw.compileRule(tooBig), (e) => e instanceof TagwiseError && e.code === 'too_large'
    && /rule is 1\d\.\d MB/.test(e.message));
  assert.equal(tw.evaluate({ '+': [1, 2] }), 3, 'the instance still works');
});

test('a hint file over 64 MiB is a too_large TagwiseError before it is decoded', async () => {
  const tw = await instance();
  const bytes = new Uint8Array(64 * MiB + 1);
  bytes.set(new TextEncoder().encode('TWHINTS'));
  assert.throws(() => tw.loadHints(bytes), (e) => e instanceof TagwiseError && e.code === 'too_large'
    && /hints file is 64\.0 MB/.test(e.message));
  // Under the limit the same bytes are judged by content: not a valid file.
  assert.throws(() => tw.loadHints(bytes.subarray(0, 1024)), (e) => e instanceof TagwiseError && e.code === 'corrupt');
});
