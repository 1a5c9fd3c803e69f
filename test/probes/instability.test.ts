// instability: the error (and loss) along the linear path between trained copies, and its barrier
// max_α err(θ(α)) − ½(err(W1) + err(W2)) (Frankle et al. 2020).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Checkpoint } from '../../core/artifacts.ts';
import { standardLibrary } from '../../stdlib/library.ts';
import { StageFailure } from '../../stdlib/stage-support/failure.ts';
import type { LoadedDataset } from '../../stdlib/datasets/index.ts';
import { alphaLabels, alphas, instabilityProbe, interpolateWeights } from '../../stdlib/probes/instability-stage.ts';
import {
  blobs, initCheckpoint, mlp, runCheckpoint, runProbe, sgdMomentum, testSplit, trainParams, useCpuBackend,
} from '../training/helpers.ts';
import { handCheckpoint, handMask, handWeights } from './comparison-helpers.ts';

before(useCpuBackend);

function close(actual: number | undefined, expected: number, tolerance = 1e-6): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= tolerance, `${actual} ≉ ${expected}`);
}

const net = mlp(6, [8], 3);

async function trainedCopy(order: number, mask?: Checkpoint['mask']): Promise<Checkpoint> {
  let start = await initCheckpoint(net, 5);
  if (mask) start = await runCheckpoint('rewind', {}, { weights: start, mask });
  return runCheckpoint('train', trainParams(net, blobs, sgdMomentum, 20, 20, order), { start });
}

const params = { copies: 2, points: 5, seed: 0, on: testSplit(blobs) };

test('copies trained with the same data order are identical: the barrier is exactly 0', async () => {
  const [a, b] = [await trainedCopy(3), await trainedCopy(3)];
  const result = await runProbe('instability', params, { copies0: a, copies1: b });
  assert.equal(result.metrics.barrier, 0);
  assert.equal(result.metrics.loss_barrier, 0);
  const path = ['0', '0.25', '0.5', '0.75', '1'].map((alpha) => result.metrics[`error_at_${alpha}`]);
  assert.ok(path.every((e) => e === path[0]), `a flat path: ${path}`);
  assert.deepEqual(result.series!.alpha, [0, 0.25, 0.5, 0.75, 1]);
});

test('the ends of the path are the copies\' own errors and losses', async () => {
  const [a, b] = [await trainedCopy(1), await trainedCopy(2)];
  const result = await runProbe('instability', params, { copies0: a, copies1: b });
  const own = async (copy: Checkpoint) => runProbe('accuracy', { on: testSplit(blobs) }, { x: copy });
  const [ownA, ownB] = [await own(a), await own(b)];
  assert.equal(result.metrics.error_at_0, 1 - ownA.metrics.accuracy!);
  assert.equal(result.metrics.error_at_1, 1 - ownB.metrics.accuracy!);
  const loss = result.series!.loss as number[];
  assert.equal(loss[0], ownA.metrics.loss);
  assert.equal(loss[4], ownB.metrics.loss);
  const error = result.series!.error as number[];
  close(result.metrics.barrier, Math.max(...error) - (error[0]! + error[4]!) / 2, 0);
  assert.ok(result.metrics.barrier! >= 0);
});

// A network and its copy with the two hidden units swapped compute the same function, but halfway
// between them every hidden weight is 0: the logits tie, argmax picks class 0, and half the points are
// misclassified. Along the path the margin of every point is (1 − 2α)², so its loss is
// ln(1 + exp(−(1 − 2α)²)).
const tiny = mlp(1, [2], 2);
const unitsInOrder = handCheckpoint(tiny, handWeights(tiny, (name) => ({
  'layer1.weight': [1, -1], // unit 0 = relu(x), unit 1 = relu(−x)
  'output.weight': [0, 1, 1, 0], // unit 0 → class 1, unit 1 → class 0 ([in, out], row-major)
})[name]));
const unitsSwapped = handCheckpoint(tiny, handWeights(tiny, (name) => ({
  'layer1.weight': [-1, 1],
  'output.weight': [1, 0, 0, 1],
})[name]));
const signs: LoadedDataset = {
  name: 'signs', task: 'classification', inputShape: [1], classes: 2,
  train: { x: Float32Array.from([1, -1]), y: Int32Array.from([1, 0]), n: 2 },
  test: { x: Float32Array.from([1, -1, 1, -1]), y: Int32Array.from([1, 0, 1, 0]), n: 4 },
};

test('a hand-made pair with a known bump: error 0.5 halfway, loss ln(1 + exp(−(1 − 2α)²))', async () => {
  const result = await instabilityProbe({ copies: [unitsInOrder, unitsSwapped], library: standardLibrary, dataset: signs, split: 'test', points: 5 });
  assert.deepEqual(result.series!.error, [0, 0, 0.5, 0, 0]);
  assert.equal(result.metrics.barrier, 0.5);
  assert.equal(result.metrics['error_at_0.5'], 0.5);
  assert.equal(result.metrics['error_at_0.25'], 0);
  const expectedLoss = alphas(5).map((a) => Math.log(1 + Math.exp(-((1 - 2 * a) ** 2))));
  (result.series!.loss as number[]).forEach((loss, k) => close(loss, expectedLoss[k]!));
  close(result.metrics.loss_barrier, Math.log(2) - Math.log(1 + Math.exp(-1)));
  assert.equal(result.metrics.pairs, 1);
});

test('with more than two copies the metrics are means over all pairs', async () => {
  const result = await instabilityProbe({ copies: [unitsInOrder, unitsSwapped, unitsInOrder], library: standardLibrary, dataset: signs, split: 'test', points: 3 });
  // Pairs (0, 1) and (1, 2) cross the bump (barrier 0.5); pair (0, 2) joins identical weights (0).
  assert.equal(result.metrics.pairs, 3);
  close(result.metrics.barrier, 1 / 3, 1e-15);
  assert.deepEqual(result.series!.error_pairs, [[0, 0.5, 0], [0, 0, 0], [0, 0.5, 0]]);
  close(result.metrics['error_at_0.5'], 1 / 3, 1e-15);
});

test('the interpolated weights are masked, and the ends are the copies bit for bit', () => {
  const mask = handMask(tiny, (name) => (name === 'layer1.weight' ? [1, 0] : undefined));
  const mid = interpolateWeights(unitsInOrder.weights, unitsSwapped.weights, 0.25, mask.masks);
  assert.deepEqual([...mid.get('layer1.weight')!.data], [0.5, 0]);
  assert.deepEqual([...mid.get('output.weight')!.data], [0.25, 0.75, 0.75, 0.25]);
  assert.equal(interpolateWeights(unitsInOrder.weights, unitsSwapped.weights, 0).get('layer1.weight')!.data, unitsInOrder.weights.get('layer1.weight')!.data);
  assert.equal(interpolateWeights(unitsInOrder.weights, unitsSwapped.weights, 1).get('output.weight')!.data, unitsSwapped.weights.get('output.weight')!.data);
});

test('copies trained under one mask stay on it; copies under different masks fail the stage', async () => {
  const mask = handMask(net, (name, size) => Array.from({ length: size }, (_, i) => (name === 'layer1.weight' ? i % 2 : 1)));
  const [a, b] = [await trainedCopy(1, mask), await trainedCopy(2, mask)];
  const result = await runProbe('instability', params, { copies0: a, copies1: b });
  assert.ok(result.metrics.barrier! >= 0);
  const other = handMask(net, () => undefined);
  const c = await trainedCopy(3, other);
  await assert.rejects(runProbe('instability', params, { copies0: a, copies1: c }), (e) => e instanceof StageFailure && /different masks/.test(e.cause));
});

test('metric names show each α to 3 decimals, more only where needed to tell the points apart', () => {
  assert.deepEqual(alphaLabels(alphas(2)), ['0', '1']);
  assert.deepEqual(alphaLabels(alphas(11)), ['0', '0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9', '1']);
  assert.deepEqual(alphaLabels(alphas(5)), ['0', '0.25', '0.5', '0.75', '1']);
  const thirty = alphaLabels(alphas(30));
  assert.equal(new Set(thirty).size, 30);
  assert.deepEqual(thirty.slice(0, 3), ['0', '0.034', '0.069']);
  const many = alphaLabels(alphas(3001));
  assert.equal(new Set(many).size, 3001);
  assert.equal(many[1], '0.0003');
});

test('regression data has a loss barrier only, and reports the loss along the path', async () => {
  const teacherNet = mlp(4, [5], 2);
  const teacher = { op: 'teacher', version: 1, params: { model: teacherNet, n: 40, seed: 2, test: 0.25 } };
  const [a, b] = [await initCheckpoint(teacherNet, 2), await initCheckpoint(teacherNet, 3)];
  const result = await runProbe('instability', { ...params, on: testSplit(teacher) }, { copies0: a, copies1: b });
  assert.equal(result.metrics.barrier, result.metrics.loss_barrier);
  assert.ok('loss_at_0.5' in result.metrics);
  assert.equal(Object.keys(result.metrics).some((k) => k.startsWith('error_')), false);
  assert.ok(result.metrics.loss_at_0! < 1e-10, 'the teacher fits its own outputs');
});

test('fewer than two copies fail the stage', async () => {
  const a = await trainedCopy(1);
  await assert.rejects(runProbe('instability', params, { copies0: a }), (e) => e instanceof StageFailure && /at least two copies/.test(e.cause));
});
