// The basic probes: accuracy and loss on a split (in batches, without gradients) and sparsity.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Checkpoint, Mask } from '../../core/artifacts.ts';
import { modelLayout } from '../../stdlib/models/layout.ts';
import { datasetCache } from '../../stdlib/stage-support/data-cache.ts';
import { StageFailure } from '../../stdlib/stage-support/failure.ts';
import { evaluate } from '../../stdlib/training/evaluate.ts';
import {
  blobs, context, digits, initCheckpoint, mlp, runCheckpoint, runMask, runProbe, testSplit, trainParams,
  sgdMomentum, useCpuBackend,
} from '../training/helpers.ts';

before(useCpuBackend);

function zeroWeights(checkpoint: Checkpoint): Checkpoint {
  const weights = new Map([...checkpoint.weights].map(([name, w]) => [name, { shape: w.shape, data: new Float32Array(w.data.length) }]));
  return { ...checkpoint, weights };
}

test('a network with all-zero weights has loss ln(classes) and predicts class 0 everywhere', async () => {
  const net = mlp(64, [16], 10);
  const zero = zeroWeights(await initCheckpoint(net));
  const result = await runProbe('accuracy', { on: testSplit(digits) }, { x: zero });
  const data = await datasetCache.load(digits, process.cwd());
  const zeros = data.test.y.filter((label) => label === 0).length;
  assert.equal(result.metrics.accuracy, zeros / data.test.n);
  assert.ok(Math.abs(result.metrics.loss! - Math.log(10)) < 1e-5);
  const loss = await runProbe('loss', { on: testSplit(digits) }, { x: zero });
  assert.deepEqual(Object.keys(loss.metrics), ['loss', 'remaining']);
  assert.equal(loss.metrics.loss, result.metrics.loss);
  assert.equal(result.metrics.remaining, 1, 'a dense checkpoint keeps every weight');
});

test('the evaluation batch size does not change the result', async () => {
  const net = mlp(6, [8], 3);
  const trained = await runCheckpoint('train', trainParams(net, blobs, sgdMomentum, 20, 20), { start: await initCheckpoint(net) });
  const dataset = await datasetCache.load(blobs, process.cwd());
  const options = { layout: modelLayout(net.op, net.params), modelParams: net.params, weights: trained.weights, dataset, split: 'test' as const };
  const whole = await evaluate(options);
  const batched = await evaluate({ ...options, batch: 7 });
  assert.equal(batched.accuracy, whole.accuracy);
  assert.ok(Math.abs(batched.loss - whole.loss) < 1e-6);
  assert.equal(whole.examples, 30);
});

test('accuracy of a regression model fails the stage; its loss is the mean squared error', async () => {
  const teacherNet = mlp(4, [5], 2);
  const teacher = { op: 'teacher', version: 1, params: { model: teacherNet, n: 50, seed: 2, test: 0.2 } };
  const student = await initCheckpoint(teacherNet, 7);
  await assert.rejects(runProbe('accuracy', { on: testSplit(teacher) }, { x: student }), (e) => e instanceof StageFailure && /regression/.test(e.cause));
  const loss = await runProbe('loss', { on: testSplit(teacher) }, { x: student });
  assert.ok(loss.metrics.loss! > 0);
  const itself = await runProbe('loss', { on: testSplit(teacher) }, { x: await initCheckpoint(teacherNet, 2) });
  assert.ok(itself.metrics.loss! < 1e-10, 'the teacher fits its own outputs');
});

test('sparsity of a dense checkpoint is 0, with every prunable weight counted', async () => {
  const net = mlp(5, [4], 3);
  const result = await runProbe('sparsity', {}, { x: await initCheckpoint(net) });
  assert.deepEqual(result.metrics, { remaining: 1, sparsity: 0, kept: 32, total: 32 });
  assert.deepEqual(Object.keys(result.layers!), ['layer1', 'output']);
});

test('sparsity of a mask, or of a checkpoint trained under it, in total and per layer', async () => {
  const net = mlp(5, [4], 3);
  const init = await initCheckpoint(net);
  const mask: Mask = await runMask('magnitude', { rate: 0.5, scope: 'layerwise', skip: ['output'], rates: {} }, { weights: init });
  const ofMask = await runProbe('sparsity', {}, { x: mask });
  assert.deepEqual(ofMask.metrics, { remaining: 22 / 32, sparsity: 10 / 32, kept: 22, total: 32 });
  assert.deepEqual(ofMask.layers, {
    layer1: { remaining: 0.5, sparsity: 0.5, kept: 10, total: 20 },
    output: { remaining: 1, sparsity: 0, kept: 12, total: 12 },
  });
  const rewound = await runCheckpoint('rewind', {}, { weights: init, mask });
  assert.deepEqual(await runProbe('sparsity', {}, { x: rewound }), ofMask);
});

test('accuracy and loss rows carry the share of prunable weights their checkpoint keeps', async () => {
  const net = mlp(64, [16], 10);
  const init = await initCheckpoint(net);
  const mask: Mask = await runMask('magnitude', { rate: 0.25, scope: 'layerwise', skip: ['output'], rates: {} }, { weights: init });
  const rewound = await runCheckpoint('rewind', {}, { weights: init, mask });
  // layer1 keeps 768 of 1024 weights; the output layer (160) is skipped.
  const expected = (768 + 160) / (1024 + 160);
  assert.equal((await runProbe('accuracy', { on: testSplit(digits) }, { x: rewound })).metrics.remaining, expected);
  assert.equal((await runProbe('loss', { on: testSplit(digits) }, { x: rewound })).metrics.remaining, expected);
});

test('a probe on data the model does not fit fails the stage', async () => {
  const net = mlp(6, [8], 3);
  await assert.rejects(
    runProbe('accuracy', { on: testSplit(digits) }, { x: await initCheckpoint(net) }, context()),
    (e) => e instanceof StageFailure && e.cause === 'mlp expects inputs of 6 numbers, but digits has inputs of 8x8x1 = 64',
  );
});
