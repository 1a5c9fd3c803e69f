// mask_overlap: the Jaccard index of two keep-masks, total and per layer, against the exact expected
// Jaccard of random masks with the same kept counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StageFailure } from '../../stdlib/stage-support/failure.ts';
import { expectedRandomJaccard, maskOverlap } from '../../stdlib/probes/mask-overlap.ts';
import { randomMasks } from '../../stdlib/pruning/index.ts';
import { mlp, runProbe } from '../training/helpers.ts';
import { handMask, layoutOfRef } from './comparison-helpers.ts';

const small = mlp(2, [2], 2); // layer1.weight: 4 weights, output.weight: 4 weights

function close(actual: number | undefined, expected: number, tolerance = 1e-12): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= tolerance, `${actual} ≉ ${expected}`);
}

/** E[J] by listing every pair of kA- and kB-subsets of n elements. */
function enumeratedJaccard(n: number, keptA: number, keptB: number): number {
  const subsets = (k: number): number[] => {
    const out: number[] = [];
    for (let bits = 0; bits < 1 << n; bits++) {
      let count = 0;
      for (let b = bits; b; b &= b - 1) count++;
      if (count === k) out.push(bits);
    }
    return out;
  };
  const popcount = (x: number) => { let c = 0; for (let b = x; b; b &= b - 1) c++; return c; };
  let sum = 0;
  let pairs = 0;
  for (const a of subsets(keptA)) {
    for (const b of subsets(keptB)) {
      const union = popcount(a | b);
      sum += union === 0 ? 1 : popcount(a & b) / union;
      pairs++;
    }
  }
  return sum / pairs;
}

test('a mask with itself has Jaccard 1, normalized 1, in total and in every layer', async () => {
  const mask = handMask(small, (name) => (name === 'layer1.weight' ? [1, 0, 1, 0] : [0, 0, 0, 1]));
  const result = await runProbe('mask_overlap', {}, { a: mask, b: mask });
  assert.equal(result.metrics.jaccard, 1);
  assert.equal(result.metrics.jaccard_normalized, 1);
  assert.equal(result.metrics.intersection, 3);
  assert.equal(result.metrics.union, 3);
  assert.deepEqual(Object.keys(result.layers!), ['layer1', 'output']);
  for (const layer of Object.values(result.layers!)) {
    assert.equal(layer.jaccard, 1);
    assert.equal(layer.jaccard_normalized, 1);
  }
});

test('disjoint masks have Jaccard 0 and a negative normalized overlap', async () => {
  const a = handMask(small, () => [1, 1, 0, 0]);
  const b = handMask(small, () => [0, 0, 1, 1]);
  const result = await runProbe('mask_overlap', {}, { a, b });
  assert.equal(result.metrics.jaccard, 0);
  assert.equal(result.metrics.intersection, 0);
  assert.equal(result.metrics.union, 8);
  const baseline = result.metrics.baseline!;
  assert.ok(baseline > 0 && baseline < 1);
  close(result.metrics.jaccard_normalized, -baseline / (1 - baseline));
  assert.equal(result.layers!.layer1!.jaccard, 0);
});

test('counts and Jaccard per layer and in total for hand-made masks', () => {
  const a = handMask(small, (name) => (name === 'layer1.weight' ? [1, 1, 1, 0] : [1, 0, 0, 0]));
  const b = handMask(small, (name) => (name === 'layer1.weight' ? [0, 1, 1, 1] : [1, 1, 0, 0]));
  const result = maskOverlap(layoutOfRef(small), a, b);
  // layer1: both keep positions 1, 2; either keeps all 4. output: both keep 0; either keeps 0, 1.
  assert.deepEqual(
    { j: result.layers!.layer1!.jaccard, i: result.layers!.layer1!.intersection, u: result.layers!.layer1!.union },
    { j: 2 / 4, i: 2, u: 4 },
  );
  assert.deepEqual(
    { j: result.layers!.output!.jaccard, i: result.layers!.output!.intersection, u: result.layers!.output!.union },
    { j: 1 / 2, i: 1, u: 2 },
  );
  assert.equal(result.metrics.jaccard, 3 / 6);
  assert.deepEqual([result.metrics.kept_a, result.metrics.kept_b, result.metrics.total], [4, 5, 8]);
  close(result.metrics.baseline, expectedRandomJaccard(8, 4, 5));
  close(result.layers!.layer1!.baseline, expectedRandomJaccard(4, 3, 3));
});

test('the baseline is the exact expected Jaccard of random masks with those kept counts', () => {
  // Two random halves of 4 weights share 0, 1 or 2 weights with probabilities 1/6, 4/6, 1/6.
  close(expectedRandomJaccard(4, 2, 2), (4 / 6) * (1 / 3) + (1 / 6) * 1);
  for (const [n, ka, kb] of [[7, 2, 4], [8, 5, 5], [6, 1, 6], [9, 3, 7], [5, 5, 5]] as const) {
    close(expectedRandomJaccard(n, ka, kb), enumeratedJaccard(n, ka, kb), 1e-12);
  }
  assert.equal(expectedRandomJaccard(10, 0, 0), 1);
  assert.equal(expectedRandomJaccard(10, 0, 3), 0);
});

test('for many weights the baseline tends to d/(2−d), and to dA·dB/(dA + dB − dA·dB) for unequal densities', () => {
  const n = 1_000_000;
  for (const d of [0.2, 0.1, 0.05]) close(expectedRandomJaccard(n, d * n, d * n), d / (2 - d), 1e-5);
  close(expectedRandomJaccard(n, 0.3 * n, 0.1 * n), (0.3 * 0.1) / (0.3 + 0.1 - 0.03), 1e-5);
});

test('two seeded random masks at density d overlap by about d/(2−d)', async () => {
  const net = mlp(100, [200], 10); // layer1: 20000 weights, output: 2000
  const d = 0.2;
  const like = handMask(net, (_, size) => Array.from({ length: size }, (_, i) => (i < d * size ? 1 : 0)));
  const a = { ...like, masks: randomMasks(like.masks, 1) };
  const b = { ...like, masks: randomMasks(like.masks, 2) };
  const result = await runProbe('mask_overlap', {}, { a, b });
  close(result.metrics.jaccard, d / (2 - d), 0.01);
  close(result.metrics.baseline, d / (2 - d), 1e-4);
  close(result.metrics.jaccard_normalized, 0, 0.015);
  close(result.layers!.layer1!.jaccard, d / (2 - d), 0.01);
});

test('a layer both masks keep whole has baseline 1 and no normalized overlap', async () => {
  const a = handMask(small, (name) => (name === 'layer1.weight' ? [1, 0, 0, 0] : undefined));
  const b = handMask(small, (name) => (name === 'layer1.weight' ? [0, 1, 0, 0] : undefined));
  const result = await runProbe('mask_overlap', {}, { a, b });
  assert.equal(result.layers!.output!.jaccard, 1);
  assert.equal(result.layers!.output!.baseline, 1);
  assert.equal('jaccard_normalized' in result.layers!.output!, false);
  assert.equal(result.layers!.layer1!.jaccard, 0);
});

test('the layerwise baseline accounts for layers of different densities', async () => {
  // layer1 keeps 1 of 4 in both masks, output keeps all: per-layer random masks share about
  // 1/4 + 4 of the 7 − 1/4 weights either keeps.
  const a = handMask(small, (name) => (name === 'layer1.weight' ? [1, 0, 0, 0] : undefined));
  const result = await runProbe('mask_overlap', {}, { a, b: a });
  close(result.metrics.baseline_layerwise, (1 / 4 + 4) / (1 + 1 - 1 / 4 + 4 + 4 - 4));
  assert.ok(result.metrics.baseline_layerwise! > result.metrics.baseline!);
});

test('masks of different models fail the stage', async () => {
  const a = handMask(small);
  const b = handMask(mlp(2, [3], 2));
  await assert.rejects(runProbe('mask_overlap', {}, { a, b }), (e) => e instanceof StageFailure && /different models/.test(e.cause));
});
