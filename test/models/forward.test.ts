import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { OpParams } from '../../core/op.ts';
import { forward } from '../../stdlib/models/forward.ts';
import { batchNorm, BATCH_NORM_MOMENTUM, NORM_EPSILON } from '../../stdlib/models/layers.ts';
import { modelLayout } from '../../stdlib/models/layout.ts';
import { initialWeights, intInput, layoutOf, modelParams, normalInput, useCpuBackend } from './helpers.ts';

before(useCpuBackend);

const TRANSFORMER = modelParams('transformer', { vocab: 5, context: 4, width: 8, heads: 2, layers: 2 });

function run(op: string, given: OpParams, x: tf.Tensor, training = false) {
  const params = modelParams(op, given);
  const layout = modelLayout(op, params);
  return forward(layout, params, initialWeights(layout), x, { training });
}

/** Every model of the standard library at a tiny size: its parameters, an input and the logits' shape. */
const TINY_MODELS: [string, OpParams, () => tf.Tensor, number[]][] = [
  ['mlp', { input: 12, hidden: [5, 4], classes: 3, activation: 'tanh' }, () => normalInput([2, 12], 1), [2, 3]],
  ['mlp', { input: 12, hidden: [5], classes: 3, activation: 'gelu', bias: false }, () => normalInput([2, 12], 1), [2, 3]],
  ['conv', { input: [6, 6, 2], channels: [[3], [4, 4]], hidden: [5], classes: 3 }, () => normalInput([2, 6, 6, 2], 2), [2, 3]],
  ['conv2', { input: [4, 4, 3], classes: 2 }, () => normalInput([2, 4, 4, 3], 3), [2, 2]],
  ['lenet5', { input: [12, 12, 1], classes: 4 }, () => normalInput([3, 12, 12, 1], 4), [3, 4]],
  ['resnet', { depth: 8, width: 2, input: [6, 6, 3], classes: 3 }, () => normalInput([2, 6, 6, 3], 5), [2, 3]],
  ['transformer', TRANSFORMER, () => intInput([3, 4], 5, 6), [3, 4, 5]],
];

test('every model gives one row of logits per example at tiny sizes', () => {
  for (const [op, params, x, shape] of TINY_MODELS) {
    const { output } = run(op, params, x());
    assert.deepEqual(output.shape, shape, op);
    assert.ok(Array.from(output.dataSync()).every(Number.isFinite), `${op} gives finite logits`);
  }
});

test('the hidden layers a layout names (what the compiler accepts in layer:) are exactly those its forward returns', () => {
  for (const [op, given, x] of TINY_MODELS) {
    const params = modelParams(op, given);
    const layout = modelLayout(op, params);
    const { hidden } = forward(layout, params, initialWeights(layout), x(), { training: false, hidden: true });
    assert.deepEqual(Object.keys(hidden ?? {}), layout.hiddenLayers, op);
  }
  assert.deepEqual(layoutOf('mlp', { input: 12, hidden: [5, 4], classes: 3 }).hiddenLayers, ['layer1', 'layer2']);
  assert.deepEqual(layoutOf('transformer', TRANSFORMER).hiddenLayers, ['block1.mlp', 'block2.mlp']);
  assert.deepEqual(layoutOf('conv2', { input: [4, 4, 3], classes: 2 }).hiddenLayers, []);
});

test('the transformer accepts sequences shorter than its context', () => {
  const { output } = run('transformer', TRANSFORMER, intInput([2, 3], 5, 7));
  assert.deepEqual(output.shape, [2, 3, 5]);
});

test('image models take flat [n, h·w·c] inputs as NHWC images', () => {
  const params = { input: [12, 12, 1] };
  const images = normalInput([2, 12, 12, 1], 8);
  const nhwc = run('lenet5', params, images).output.dataSync();
  const flat = run('lenet5', params, tf.reshape(images, [2, 144])).output.dataSync();
  assert.deepEqual(flat, nhwc);
});

test('an input of the wrong size is refused with the expected shape', () => {
  assert.throws(() => run('mlp', { input: 12, hidden: [], classes: 3 }, normalInput([2, 10], 1)), /expected 12 numbers per example.*\[2, 10\]/);
  assert.throws(() => run('lenet5', { input: [12, 12, 1] }, normalInput([2, 12, 12, 3], 1)), /expected 12x12x1 images/);
  assert.throws(() => run('transformer', TRANSFORMER, intInput([2, 5], 5, 1)), /1 <= t <= context 4/);
});

test('missing or misshapen weights are named', () => {
  const params = modelParams('mlp', { input: 4, hidden: [3], classes: 2 });
  const layout = modelLayout('mlp', params);
  const weights = initialWeights(layout);
  const x = normalInput([1, 4], 1);
  const { ['layer1.bias']: _, ...withoutBias } = weights;
  assert.throws(() => forward(layout, params, withoutBias, x, { training: false }), /lack 'layer1.bias' \(shape \[3\]\)/);
  const misshapen = { ...weights, 'output.weight': tf.zeros([2, 3]) };
  assert.throws(() => forward(layout, params, misshapen, x, { training: false }), /'output.weight' has shape \[2, 3\], the model expects \[3, 2\]/);
});

test('the transformer is causal: a later token does not change earlier positions', () => {
  const layout = modelLayout('transformer', TRANSFORMER);
  const weights = initialWeights(layout, 3);
  const logits = (tokens: number[]) =>
    forward(layout, TRANSFORMER, weights, tf.tensor2d([tokens], [1, 4], 'int32'), { training: false }).output.arraySync() as number[][][];
  const a = logits([1, 2, 3, 4])[0]!;
  const b = logits([1, 2, 0, 4])[0]!;
  for (const position of [0, 1]) {
    for (let v = 0; v < 5; v++) assert.ok(Math.abs(a[position]![v]! - b[position]![v]!) < 1e-6, `position ${position} unchanged`);
  }
  for (const position of [2, 3]) {
    const change = a[position]!.reduce((m, x, v) => Math.max(m, Math.abs(x - b[position]![v]!)), 0);
    assert.ok(change > 1e-4, `position ${position} sees the changed token (max change ${change})`);
  }
});

test('batch norm: training normalizes by batch statistics and moves the running ones by momentum 0.1', () => {
  const x = tf.tensor4d([1, 10, 3, 20, 5, 30, 7, 40], [2, 2, 1, 2]); // channel 0: 1,3,5,7; channel 1: 10..40
  const p = { scale: tf.tensor1d([2, 1]), shift: tf.tensor1d([0, 1]), mean: tf.tensor1d([0, 1]), variance: tf.tensor1d([1, 2]) };
  const { y, running } = batchNorm(x, p, true);
  const channel0 = [1, 3, 5, 7].map((v) => (2 * (v - 4)) / Math.sqrt(5 + NORM_EPSILON));
  const got = y.dataSync();
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(got[2 * i]! - channel0[i]!) < 1e-5);
  const m = BATCH_NORM_MOMENTUM;
  // unbiased variance: channel 0 is 20/3, channel 1 is 500/3
  const expectedMean = [(1 - m) * 0 + m * 4, (1 - m) * 1 + m * 25];
  const expectedVar = [(1 - m) * 1 + (m * 20) / 3, (1 - m) * 2 + (m * 500) / 3];
  assert.ok(running);
  running.mean.dataSync().forEach((v, i) => assert.ok(Math.abs(v - expectedMean[i]!) < 1e-5));
  running.variance.dataSync().forEach((v, i) => assert.ok(Math.abs(v - expectedVar[i]!) < 1e-4));
});

test('batch norm: evaluation normalizes by the running statistics', () => {
  const x = tf.tensor4d([1, 3], [2, 1, 1, 1]);
  const p = { scale: tf.tensor1d([2]), shift: tf.tensor1d([0.5]), mean: tf.tensor1d([1]), variance: tf.tensor1d([4]) };
  const { y, running } = batchNorm(x, p, false);
  assert.equal(running, undefined);
  const expected = [0.5, (2 * 2) / Math.sqrt(4 + NORM_EPSILON) + 0.5];
  y.dataSync().forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-6));
});

test('resnet returns updated running statistics for every batch norm in training only', () => {
  const params = { depth: 8, width: 2, input: [4, 4, 3], classes: 2 };
  const layout = modelLayout('resnet', params);
  const weights = initialWeights(layout);
  const x = normalInput([3, 4, 4, 3], 9);
  const trained = forward(layout, params, weights, x, { training: true });
  const bufferNames = layout.params.filter((p) => p.role === 'buffer').map((p) => p.name);
  assert.deepEqual(Object.keys(trained.buffers ?? {}).sort(), bufferNames.sort());
  for (const name of bufferNames) assert.deepEqual(trained.buffers![name]!.shape, weights[name]!.shape);

  // bn0 normalizes conv0's output: its running mean moves 10% of the way from 0 to the batch mean.
  const conv0 = tf.conv2d(x as tf.Tensor4D, weights['conv0.weight'] as tf.Tensor4D, 1, 'same');
  const batchMean = tf.mean(conv0, [0, 1, 2]).dataSync();
  trained.buffers!['bn0.mean']!.dataSync().forEach((v, c) => assert.ok(Math.abs(v - 0.1 * batchMean[c]!) < 1e-5));

  const evaluated = forward(layout, params, weights, x, { training: false });
  assert.equal(evaluated.buffers, undefined);
  const difference = tf.max(tf.abs(tf.sub(evaluated.output, trained.output))).dataSync()[0]!;
  assert.ok(difference > 1e-3, 'evaluation uses running statistics, not the batch');
});

test('resnet in evaluation needs its running statistics, training does not', () => {
  const params = { depth: 8, width: 2, input: [4, 4, 3], classes: 2 };
  const layout = modelLayout('resnet', params);
  const trainable = Object.fromEntries(Object.entries(initialWeights(layout)).filter(([name]) => !/\.(mean|var)$/.test(name)));
  const x = normalInput([2, 4, 4, 3], 10);
  const trained = forward(layout, params, trainable, x, { training: true });
  assert.deepEqual(trained.output.shape, [2, 2]);
  assert.deepEqual(trained.buffers, {});
  assert.throws(() => forward(layout, params, trainable, x, { training: false }), /lack 'bn0.mean'/);
});
