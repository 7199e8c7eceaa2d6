// The browser modules' own strtod and snprintf (wasm/browser_libc.cpp): the
// page runtime and the lazily fetched full module read and write numbers
// without musl's long-double code, asking JavaScript for the hard cases.
// Every number that crosses them must come out as Node's module (musl's
// strtod and printf, the -O3 build) gives it, and as JavaScript gives it.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import createTagwisePageModule from '../../js/dist/tagwise_page.mjs';
import createTagwiseModule from '../../js/dist/tagwise_features.mjs';
import { createTagwise } from '../../js/index.node.js';
import { makeCreateTagwise } from '../../js/tagwise.js';
import { pageModuleApi } from '../../js/page_abi.js';
import { prng } from '../../bench/prng.mjs';

const PAGE = await readFile(new URL('../../js/dist/tagwise_page.wasm', import.meta.url));
const FULL = await readFile(new URL('../../js/dist/tagwise_features.wasm', import.meta.url));

const createPage = makeCreateTagwise(
  () => createTagwisePageModule({ wasmBinary: PAGE }).then(pageModuleApi),
  () => 'default',
  { defaultStorage: 'memory', defaultPurposes: ['necessary'], defaultSync: false,
    loadFull: () => createTagwiseModule({ wasmBinary: FULL }) },
);
const ALL = ['necessary', 'personalization'];
const page = await createPage({ purposes: ALL });
const features = await createPage({ purposes: ALL, features: ['rules'] });
const node = await createTagwise({ purposes: ALL, storage: 'memory' });
const engines = { page, features, node };

// The value `rule` gives for a visitor with these attributes, through the
// tag path every module has: a catalog tag's value, read back from tags().
function valueOf(tw, rule, attributes) {
  const loaded = tw.loadCatalog({ tagwise: 1, tags: [{ id: 'v', when: true, value: rule }] });
  assert.equal(loaded.ok, true, JSON.stringify(loaded.errors));
  assert.equal(tw.setProfile({ user_id: 'u', attributes }).ok, true);
  return tw.tags().find((t) => t.id === 'v')?.value;
}

// Doubles whose text is hard to read or write: subnormals, the extremes,
// halfway cases, 17 significant digits, powers of ten at the fast path's edge.
const HARD = [
  0, -0, 0.1, 0.2, 0.30000000000000004, 1 / 3, 2 / 3, 1e21, 1e22, 1e23, 9.999999999999999e22, 1e-7, 1.5e-7,
  123456789012345680000, 5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, 1.7976931348623157e308,
  4.9406564584124654e-324, 9007199254740993, 9007199254740992, 0.000001, 1e-6, 123.456, -987.654321,
  1.7976931348623157e-300, 8.41e21, 5e-7, 4.35, 0.1 + 0.7, 100, 1e100, 2 ** 63, 2 ** 64, -(2 ** 70),
];

function randomDoubles(n, seed) {
  const next = prng(seed);
  const view = new DataView(new ArrayBuffer(8));
  const out = [];
  while (out.length < n) {
    view.setUint32(0, Math.floor(next() * 2 ** 32));
    view.setUint32(4, Math.floor(next() * 2 ** 32));
    const d = view.getFloat64(0);
    if (Number.isFinite(d)) out.push(d);
    // and numbers with few digits, as shops' data has
    out.push(Math.round(next() * 10 ** Math.floor(next() * 8)) / 10 ** Math.floor(next() * 6));
  }
  return out;
}

// Decimal text as an operator or a JSON file writes it: 1-30 digits, a point
// anywhere, an exponent or none, leading zeros.
function randomDecimals(n, seed) {
  const next = prng(seed);
  const out = [];
  for (let i = 0; i < n; i++) {
    const digits = 1 + Math.floor(next() * 30);
    let s = next() < 0.3 ? '-' : '';
    let body = '';
    for (let d = 0; d < digits; d++) body += Math.floor(next() * 10);
    if (next() < 0.6) {
      const at = Math.floor(next() * digits);
      body = `${body.slice(0, at) || '0'}.${body.slice(at) || '0'}`;
    }
    s += body;
    if (next() < 0.5) s += `e${next() < 0.5 ? '-' : '+'}${Math.floor(next() * 330)}`;
    out.push(s);
  }
  return out;
}

test('numbers in JSON data read and write back exactly, as in Node and JavaScript', () => {
  const values = [...HARD, ...randomDoubles(3000, 18)];
  // The record crosses as JSON text (strtod reads it); the number comes back
  // as JSON text (the serializer writes it): both must be the same double.
  for (const [name, tw] of Object.entries(engines)) {
    const rule = { var: 'x' };
    for (const x of values) {
      const got = valueOf(tw, rule, { x });
      assert.ok(Object.is(got, x) || (x === 0 && got === 0), `${name}: ${x} came back as ${got}`);
    }
  }
});

test('numbers become text as JavaScript writes them (cat), in every module', () => {
  const values = [...HARD, ...randomDoubles(3000, 19)];
  const rule = { cat: [{ var: 'x' }] };
  for (const x of values) {
    const want = String(x);
    for (const [name, tw] of Object.entries(engines)) assert.equal(valueOf(tw, rule, { x }), want, `${name}: cat(${x})`);
  }
});

test('decimal text becomes the number JavaScript reads (string to number coercion)', () => {
  const texts = [
    ...randomDecimals(3000, 20), '1e400', '-1e400', '1e-400', '0.0000000000000000000000000001', '.5', '5.', '00012',
    '9007199254740993', '2.2250738585072011e-308', '17976931348623157' + '0'.repeat(292),
    '0.' + '0'.repeat(400) + '1', '1' + '0'.repeat(400),
  ];
  const rule = { '+': [{ var: 's' }, 0] };
  for (const s of texts) {
    const want = Number(s) + 0;
    for (const [name, tw] of Object.entries(engines)) {
      const got = valueOf(tw, rule, { s });
      if (Number.isFinite(want)) assert.ok(Object.is(got, want), `${name}: +"${s}" gave ${got}, JavaScript ${want}`);
      else assert.equal(valueOf(node, rule, { s }), got, `${name}: +"${s}" gave ${got}, Node's module otherwise`);
    }
  }
});

test('numbers written in catalogs and rules parse as in Node (durations, thresholds)', async () => {
  const DAY = 86_400_000;
  const now = Date.UTC(2026, 10, 20);
  const catalog = (within, threshold) => ({
    tagwise: 1,
    tags: [{ id: 't', when: { '>=': [{ events: [{ type: 'view', within }] }, threshold] } }],
  });
  const profile = { user_id: 'u', events: [0.4, 1.2, 2.6, 3.1].map((d, i) => ({ id: `e${i}`, type: 'view', ts: now - d * DAY })) };
  const sessions = {
    page: await createPage({ clock: () => now, purposes: ALL }),
    node: await createTagwise({ clock: () => now, storage: 'memory' }),
  };
  for (const [within, threshold, held] of [['1.5d', 2, true], ['1.5d', 2.000000000000001, false], ['2.75d', 3, true],
    ['0.5d', 1, true], ['3.25d', 4, true], ['1d12h', 2, true], ['0.25d', 1, false]]) {
    for (const [name, tw] of Object.entries(sessions)) {
      const r = tw.loadCatalog(catalog(within, threshold));
      assert.equal(r.ok, true, `${name}: ${JSON.stringify(r.errors)}`);
      assert.equal(tw.setProfile(profile).ok, true);
      assert.equal(tw.tags().some((x) => x.id === 't'), held, `${name}: within ${within}, >= ${threshold}`);
    }
  }
});

test('error messages format sizes with one decimal (the page runtime\'s snprintf)', () => {
  const big = 'x'.repeat(16.5 * 1024 * 1024);
  for (const [name, tw] of Object.entries(engines)) {
    const r = tw.loadCatalog(`{"tagwise":1,"tags":[],"note":"${big}"}`);
    assert.equal(r.ok, false, name);
    assert.match(r.errors[0].message, /is 16\.5 MB \(\d+ bytes\); the limit is 16\.0 MB/, `${name}: ${r.errors[0].message}`);
  }
});
