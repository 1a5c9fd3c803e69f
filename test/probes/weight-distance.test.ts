// weight_distance: ‖A − B‖₂ over every trained parameter (biases included, batch-norm buffers not),
// relative to ‖B‖₂, in total and per layer.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TensorValue } from '../../core/artifacts.ts';
import { StageFailure } from '../../stdlib/stage-support/failure.ts';
import { weightDistance } from '../../stdlib/probes/weight-distance.ts';
import { initCheckpoint, mlp, runProbe, useCpuBackend } from '../training/helpers.ts';
import { handCheckpoint, handWeights, layoutOfRef } from './comparison-helpers.ts';

before(useCpuBackend);

function close(actual: number | undefined, expected: number, tolerance = 1e-9): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${actual} ≉ ${expected}`);
}

function squaredNorm(weights: Iterable<TensorValue>): number {
  let sum = 0;
  for (const w of weights) for (const v of w.data) sum += v * v;
  return sum;
}

test('weights are at distance 0 from themselves', async () => {
  const init = await initCheckpoint(mlp(5, [4], 3), 2);
  const result = await runProbe('weight_distance', {}, { a: init, b: init });
  assert.equal(result.metrics.l2, 0);
  assert.equal(result.metrics.relative, 0);
  assert.equal(result.metrics.norm_a, result.metrics.norm_b);
  for (const layer of Object.values(result.layers!)) assert.equal(layer.l2, 0);
});

test('a shift by c of every trained value, biases included, is at distance c·√count', async () => {
  const net = mlp(5, [4], 3); // layer1: 20 + 4 values, output: 12 + 3
  const b = await initCheckpoint(net, 2);
  const c = 0.25;
  const shifted = new Map([...b.weights].map(([name, w]) => [name, { shape: w.shape, data: w.data.map((v) => v + c) }]));
  const a = handCheckpoint(net, shifted);
  const result = await runProbe('weight_distance', {}, { a, b });
  // v + c is rounded to float32, so the shift is c only up to float32 precision.
  close(result.metrics.l2, c * Math.sqrt(24 + 15), 1e-6);
  close(result.layers!.layer1!.l2, c * Math.sqrt(24), 1e-6);
  close(result.layers!.output!.l2, c * Math.sqrt(15), 1e-6);
  const normB = Math.sqrt(squaredNorm(b.weights.values()));
  close(result.metrics.norm_b, normB);
  close(result.metrics.norm_a, Math.sqrt(squaredNorm(shifted.values())));
  close(result.metrics.relative, result.metrics.l2! / normB);
});

test('hand-made weights give the exact distance and relative distance', () => {
  const net = mlp(1, [1], 1); // layer1.weight, layer1.bias, output.weight, output.bias: one value each
  const b = handWeights(net, (name) => ({ 'layer1.weight': [3], 'layer1.bias': [0], 'output.weight': [0], 'output.bias': [4] })[name]);
  const a = handWeights(net, (name) => ({ 'layer1.weight': [0], 'layer1.bias': [0], 'output.weight': [0], 'output.bias': [0] })[name]);
  const result = weightDistance(layoutOfRef(net), a, b);
  assert.deepEqual(result.metrics, { l2: 5, relative: 1, norm_a: 0, norm_b: 5 });
  assert.deepEqual(result.layers, {
    layer1: { l2: 3, relative: 1, norm_a: 0, norm_b: 3 },
    output: { l2: 4, relative: 1, norm_a: 0, norm_b: 4 },
  });
});

test('relative distance from all-zero weights is absent', () => {
  const net = mlp(1, [1], 1);
  const zero = handWeights(net);
  const one = handWeights(net, () => [1]);
  const result = weightDistance(layoutOfRef(net), one, zero);
  assert.equal(result.metrics.l2, 2);
  assert.equal('relative' in result.metrics, false);
  assert.equal(weightDistance(layoutOfRef(net), zero, zero).metrics.relative, 0);
});

test('batch-norm running statistics do not count', () => {
  const net = { op: 'resnet', version: 1, params: { depth: 8, width: 2, input: [4, 4, 1], classes: 2 } };
  const layout = layoutOfRef(net);
  const buffers = layout.params.filter((p) => p.role === 'buffer').map((p) => p.name);
  assert.ok(buffers.length > 0);
  const b = handWeights(net, (_, size) => new Array(size).fill(1));
  const a = handWeights(net, (name, size) => new Array(size).fill(buffers.includes(name) ? 7 : 1));
  assert.equal(weightDistance(layout, a, b).metrics.l2, 0);
});

test('weights of different models fail the stage', async () => {
  const a = await initCheckpoint(mlp(2, [2], 2));
  const b = await initCheckpoint(mlp(2, [3], 2));
  await assert.rejects(runProbe('weight_distance', {}, { a, b }), (e) => e instanceof StageFailure && /different models/.test(e.cause));
});
