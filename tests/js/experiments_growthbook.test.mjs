// Differential test of tw.experiments against the real GrowthBook SDK
// (@growthbook/growthbook, dev dependency): thousands of generated ids
// (ASCII, Chinese, emoji), seeds, weights and coverages must give identical
// hashes, bucket ranges, variations and namespace membership, and composing
// them must reproduce GrowthBook's own experiment result for the same user.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTagwise } from 'tagwise';

import { prng } from '../../bench/prng.mjs';

process.env.NODE_ENV = 'production'; // GrowthBook logs bad coverage/weights otherwise
// GrowthBook's bucketing helpers are not exported from its package root; they
// live in its util module, which the root module imports too.
const gbUtil = await import(new URL('../../node_modules/@growthbook/growthbook/dist/esm/util.mjs', import.meta.url));
const { GrowthBook } = await import('@growthbook/growthbook');

const CHARS = ['a', 'Z', '0', '9', '-', '_', '@', '.', ' ', '用', '户', '王', '者', '券', '😀', '🎮', 'é', '"', '\\'];

function generator(seed) {
  const rand = prng(seed);
  const int = (n) => Math.floor(rand() * n);
  const text = (max) => Array.from({ length: int(max + 1) }, () => CHARS[int(CHARS.length)]).join('');
  const id = () => (rand() < 0.5 ? String(10000 + int(90000)) : text(12));
  const weights = (n) => {
    if (rand() < 0.2) return undefined;
    const raw = Array.from({ length: rand() < 0.1 ? n + 1 : n }, () => rand());
    if (rand() < 0.15) return raw; // usually not summing to 1: GrowthBook falls back to equal weights
    const sum = raw.reduce((a, b) => a + b, 0);
    return raw.map((w) => w / sum);
  };
  const coverage = () => (rand() < 0.1 ? rand() * 3 - 1 : rand() < 0.3 ? 1 : rand());
  return { rand, int, text, id, weights, coverage };
}

test('hash equals GrowthBook for 5,000 ids and seeds in versions 1 and 2 (and null otherwise)', async () => {
  const tw = await createTagwise();
  const g = generator(1);
  for (let i = 0; i < 5000; i++) {
    const seed = g.text(8);
    const value = g.id();
    for (const version of [1, 2]) {
      assert.equal(tw.experiments.hash(seed, value, version), gbUtil.hash(seed, value, version), `${seed}/${value}/v${version}`);
    }
  }
  assert.equal(tw.experiments.hash('s', 'v', 3), gbUtil.hash('s', 'v', 3));
  assert.equal(tw.experiments.hash('s', 'v', 3), null);
});

test('bucket ranges and chosen variations equal GrowthBook for 3,000 experiments, bad weights and coverage included', async () => {
  const tw = await createTagwise();
  const g = generator(2);
  for (let i = 0; i < 3000; i++) {
    const n = 1 + g.int(5);
    const coverage = g.coverage();
    const weights = g.weights(n);
    const ours = tw.experiments.bucketRanges(n, coverage, weights);
    const theirs = gbUtil.getBucketRanges(n, coverage, weights);
    assert.deepEqual(ours, theirs, JSON.stringify({ n, coverage, weights }));
    for (let k = 0; k < 5; k++) {
      const h = gbUtil.hash(g.text(6), g.id(), 1 + g.int(2));
      assert.equal(tw.experiments.chooseVariation(h, ours), gbUtil.chooseVariation(h, theirs));
    }
  }
  assert.deepEqual(tw.experiments.bucketRanges(0), gbUtil.getBucketRanges(0));
  assert.deepEqual(tw.experiments.bucketRanges(3), gbUtil.getBucketRanges(3));
});

test('namespace membership equals GrowthBook for 3,000 users', async () => {
  const tw = await createTagwise();
  const g = generator(3);
  for (let i = 0; i < 3000; i++) {
    const start = g.rand();
    const ns = [g.text(6), start, start + g.rand() * (1 - start)];
    const id = g.id();
    assert.equal(tw.experiments.inNamespace(id, ns), gbUtil.inNamespace(id, ns), JSON.stringify({ id, ns }));
  }
});

test('composing hash, namespace, ranges and chooseVariation puts every user where GrowthBook.run() does', async () => {
  const tw = await createTagwise();
  const g = generator(4);
  for (let i = 0; i < 2000; i++) {
    const n = 2 + g.int(3);
    const experiment = {
      key: `exp-${g.text(5)}`,
      variations: Array.from({ length: n }, (_, k) => k),
      weights: g.weights(n),
      coverage: g.coverage(),
      hashVersion: 1 + g.int(2),
    };
    if (g.rand() < 0.3) experiment.seed = g.text(6);
    if (g.rand() < 0.3) {
      const start = g.rand() * 0.5;
      experiment.namespace = [g.text(4), start, start + 0.5];
    }
    const id = g.id();
    const gb = new GrowthBook({ attributes: { id } });
    const theirs = gb.run(experiment);
    gb.destroy();

    // GrowthBook leaves users without a hash value (an empty id) out.
    const h = tw.experiments.hash(experiment.seed || experiment.key, id, experiment.hashVersion); // an empty seed means the key, as in GrowthBook
    const inNamespace = id !== '' && (experiment.namespace === undefined || tw.experiments.inNamespace(id, experiment.namespace));
    const ranges = tw.experiments.bucketRanges(n, experiment.coverage, experiment.weights);
    const variation = inNamespace ? tw.experiments.chooseVariation(h, ranges) : -1;
    const label = JSON.stringify({ experiment, id });
    assert.equal(variation >= 0, theirs.inExperiment, label);
    if (theirs.inExperiment) assert.equal(variation, theirs.variationId, label);
  }
});

test('wrong argument types are TypeErrors; absurd variation counts a RangeError', async () => {
  const tw = await createTagwise();
  assert.throws(() => tw.experiments.hash(1, 'v', 1), TypeError);
  assert.throws(() => tw.experiments.bucketRanges(2.5), TypeError);
  assert.throws(() => tw.experiments.bucketRanges(2, 1, [0.5, '0.5']), TypeError);
  assert.throws(() => tw.experiments.bucketRanges(1e9), RangeError);
  assert.throws(() => tw.experiments.chooseVariation(0.5, [[0, 'x']]), TypeError);
  assert.throws(() => tw.experiments.inNamespace('u', ['ns', 0]), TypeError);
});
