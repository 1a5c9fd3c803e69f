// mask_distance: the early-bird distance, the normalized Hamming distance between the magnitude masks of
// two checkpoints at one sparsity.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Checkpoint } from '../../core/artifacts.ts';
import { StageFailure } from '../../stdlib/stage-support/failure.ts';
import { earlyBirdMask, maskDistance } from '../../stdlib/probes/mask-distance.ts';
import { blobs, initCheckpoint, mlp, runCheckpoint, runProbe, sgdMomentum, trainParams, useCpuBackend } from '../training/helpers.ts';
import { handCheckpoint, handMask, handWeights, layoutOfRef } from './comparison-helpers.ts';

before(useCpuBackend);

const small = mlp(2, [2], 2); // layer1.weight: 4 weights, output.weight: 4 weights

/** A checkpoint of `small` with the given kernels (biases large, to show they are not ranked). */
function kernels(layer1: number[], output: number[]): Checkpoint {
  return handCheckpoint(small, handWeights(small, (name, size) => {
    if (name === 'layer1.weight') return layer1;
    if (name === 'output.weight') return output;
    return new Array(size).fill(100);
  }));
}

const defaults = { sparsity: 0.5, scope: 'global', skip: [] };

test('a checkpoint is at distance 0 from itself', async () => {
  const checkpoint = await initCheckpoint(mlp(8, [6], 3), 4);
  const result = await runProbe('mask_distance', defaults, { a: checkpoint, b: checkpoint });
  assert.equal(result.metrics.hamming, 0);
  assert.equal(result.metrics.changed, 0);
  assert.equal(result.metrics.total, 8 * 6 + 6 * 3);
  for (const layer of Object.values(result.layers!)) assert.equal(layer.hamming, 0);
});

test('global masks of hand-made checkpoints differ in exactly the counted positions', async () => {
  // a keeps the 4 largest |w|: all of output. b's largest are layer1[2], layer1[3], output[2], output[3].
  const a = kernels([1, 2, 3, 4], [5, 6, 7, 8]);
  const b = kernels([1, 2, -7, 8], [3, 4, 5, -6]);
  const result = await runProbe('mask_distance', defaults, { a, b });
  assert.deepEqual(result.metrics, { hamming: 4 / 8, changed: 4, total: 8 });
  assert.deepEqual(result.layers, {
    layer1: { hamming: 2 / 4, changed: 2, total: 4 },
    output: { hamming: 2 / 4, changed: 2, total: 4 },
  });
});

test('layerwise masks rank each layer on its own', () => {
  const a = kernels([1, 2, 3, 4], [5, 6, 7, 8]);
  const b = kernels([4, 3, 2, 1], [5, 6, 7, 8]);
  const result = maskDistance(layoutOfRef(small), a, b, { sparsity: 0.5, scope: 'layerwise', skip: [] });
  // layer1: a keeps positions 2, 3, b keeps 0, 1; output: both keep 2, 3.
  assert.deepEqual(result.metrics, { hamming: 4 / 8, changed: 4, total: 8 });
  assert.equal(result.layers!.layer1!.hamming, 1);
  assert.equal(result.layers!.output!.hamming, 0);
});

test('skipped layers are neither masked nor counted', async () => {
  const a = kernels([1, 2, 3, 4], [5, 6, 7, 8]);
  const b = kernels([1, 4, 3, 2], [8, 7, 6, 5]);
  const result = await runProbe('mask_distance', { sparsity: 0.25, scope: 'global', skip: ['output'] }, { a, b });
  // Of layer1, a removes position 0 … and b position 0: the same single weight.
  assert.deepEqual(result.metrics, { hamming: 0, changed: 0, total: 4 });
  assert.deepEqual(Object.keys(result.layers!), ['layer1']);
  const c = kernels([4, 1, 3, 2], [1, 1, 1, 1]);
  const moved = await runProbe('mask_distance', { sparsity: 0.25, scope: 'global', skip: ['output'] }, { a, b: c });
  assert.deepEqual(moved.metrics, { hamming: 2 / 4, changed: 2, total: 4 });
});

test('weights a training mask pruned count as zero and are removed first', () => {
  const trainingMask = handMask(small, (name) => (name === 'layer1.weight' ? [1, 1, 0, 0] : undefined));
  const checkpoint = handCheckpoint(small, kernels([1, 2, 30, 40], [5, 6, 7, 8]).weights, trainingMask);
  const mask = earlyBirdMask(layoutOfRef(small), checkpoint, { sparsity: 0.5, scope: 'global', skip: [] });
  assert.deepEqual([...mask.get('layer1.weight')!.data], [0, 0, 0, 0]);
  assert.deepEqual([...mask.get('output.weight')!.data], [1, 1, 1, 1]);
});

test('consecutive checkpoints of a run get closer as training settles the mask', async () => {
  const net = mlp(6, [16], 3);
  const init = await initCheckpoint(net, 1);
  const at = async (step: number) => runCheckpoint('train', trainParams(net, blobs, sgdMomentum, 30, 0, step), { start: init });
  const [s5, s25, s30] = [await at(5), await at(25), await at(30)];
  const early = await runProbe('mask_distance', defaults, { a: init, b: s5 });
  const late = await runProbe('mask_distance', defaults, { a: s25, b: s30 });
  assert.ok(early.metrics.hamming! > 0);
  assert.ok(late.metrics.hamming! < early.metrics.hamming!, `${late.metrics.hamming} < ${early.metrics.hamming}`);
});

test('checkpoints of different models fail the stage', async () => {
  const a = await initCheckpoint(small);
  const b = await initCheckpoint(mlp(2, [3], 2));
  await assert.rejects(runProbe('mask_distance', defaults, { a, b }), (e) => e instanceof StageFailure && /different models/.test(e.cause));
});
