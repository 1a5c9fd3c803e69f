// linearization: f_lin(θ) = f(θ0) + J(θ0)(θ − θ0), checked against models whose tangent model is known.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { Checkpoint } from '../../core/artifacts.ts';
import { standardLibrary } from '../../stdlib/library.ts';
import { doubleVjp, forwardDifference, FD_STEP, linearizationProbe } from '../../stdlib/probes/linearization-stage.ts';
import { networkOf, outputsOf, uploadParams } from '../../stdlib/probes/network.ts';
import {
  digits, initCheckpoint, runCheckpoint, runProbe, sgdMomentum, testSplit, trainParams, useCpuBackend, type Ref,
} from '../training/helpers.ts';
import { checkpointWith, linearRegressionData, mlpModel, normalValues } from './tangent-helpers.ts';

before(useCpuBackend);

/** θ0 plus `scale` times a seeded N(0, 1) displacement of every parameter. */
function displaced(checkpoint: Checkpoint, scale: number, seed: number): Checkpoint {
  const weights = new Map([...checkpoint.weights].map(([name, w], i) => {
    const noise = normalValues(w.data.length, seed * 1000 + i, scale);
    return [name, { shape: w.shape, data: w.data.map((v, j) => v + noise[j]!) }];
  }));
  return { ...checkpoint, weights };
}

test('a linear model is its own tangent model: rmse ~ 0 and full agreement after training', async () => {
  const linear = mlpModel(64, [], 10, 'linear');
  const init = await initCheckpoint(linear);
  const trained = await runCheckpoint('train', trainParams(linear, digits, sgdMomentum, 30, 30), { start: init });
  const result = await runProbe('linearization', { on: testSplit(digits), samples: 200 }, { init, x: trained });
  const m = result.metrics;
  assert.ok(m.displacement! > 1, 'training moved the weights');
  assert.ok(m.rmse_relative! < 1e-5, `rmse ${m.rmse} is float rounding only (relative ${m.rmse_relative})`);
  assert.equal(m.agreement, 1);
  assert.equal(m.accuracy_linear, m.accuracy_net);
  assert.equal(m.samples, 200);
  assert.equal(m.fd_step, 0, 'the JVP of an mlp is exact (double VJP)');
});

test('at θ = θ0 the tangent model is the net itself: rmse exactly 0', async () => {
  const net = mlpModel(64, [16], 10, 'relu');
  const init = await initCheckpoint(net, 3);
  const result = await runProbe('linearization', { on: testSplit(digits), samples: 100 }, { init, x: init });
  assert.equal(result.metrics.rmse, 0);
  assert.equal(result.metrics.rmse_relative, 0);
  assert.equal(result.metrics.agreement, 1);
  assert.equal(result.metrics.displacement, 0);
});

test('a deep linear net misses exactly its second-order term x·V1·V2', async () => {
  // f(θ) = x W1 W2, so f(θ0 + V) − f_lin(θ0 + V) = x V1 V2 whatever θ0 is.
  const net = mlpModel(5, [4], 3, 'linear', false);
  const data = linearRegressionData(40, 5, 3, 0);
  const init = checkpointWith(net, { 'layer1.weight': normalValues(20, 1), 'output.weight': normalValues(12, 2) });
  const x = displaced(init, 0.5, 3);
  const v1 = Float64Array.from(x.weights.get('layer1.weight')!.data, (w, i) => w - init.weights.get('layer1.weight')!.data[i]!);
  const v2 = Float64Array.from(x.weights.get('output.weight')!.data, (w, i) => w - init.weights.get('output.weight')!.data[i]!);
  let sum = 0;
  for (let n = 0; n < 40; n++) {
    for (let o = 0; o < 3; o++) {
      let value = 0;
      for (let h = 0; h < 4; h++) {
        let hidden = 0;
        for (let i = 0; i < 5; i++) hidden += data.test.x[n * 5 + i]! * v1[i * 4 + h]!;
        value += hidden * v2[h * 3 + o]!;
      }
      sum += value * value;
    }
  }
  const expected = Math.sqrt(sum / 120);
  const result = await linearizationProbe({ init, x, library: standardLibrary, dataset: data, split: 'test', samples: 40 });
  assert.ok(Math.abs(result.metrics.rmse! - expected) < 1e-4 * expected, `rmse ${result.metrics.rmse} vs ${expected}`);
  assert.equal(result.metrics.agreement, undefined, 'regression has no predicted class');
});

test('the finite-difference JVP agrees with the exact double-VJP one to about 1e-3', () => {
  const net = mlpModel(6, [12], 4, 'tanh');
  const init = checkpointWith(net, {
    'layer1.weight': normalValues(72, 1, 0.5), 'layer1.bias': normalValues(12, 2, 0.1),
    'output.weight': normalValues(48, 3, 0.5), 'output.bias': normalValues(4, 4, 0.1),
  });
  const x = displaced(init, 0.3, 5);
  const spec = networkOf(net, standardLibrary);
  const error = tf.tidy(() => {
    const inputs = tf.tensor(normalValues(30 * 6, 6), [30, 6]);
    const theta0 = uploadParams(spec, init);
    const v = uploadParams(spec, x).map((p, i) => tf.sub(p, theta0[i]!));
    const f = (params: tf.Tensor[]) => outputsOf(spec, params, {}, inputs);
    const exact = doubleVjp(f, theta0, v, [30, 4]);
    const norm = (t: tf.Tensor) => Math.sqrt(tf.sum(tf.square(t)).dataSync()[0]!);
    const step = (FD_STEP * Math.max(norm(tf.concat(theta0.map((p) => tf.reshape(p, [-1])))), 1)) / norm(tf.concat(v.map((p) => tf.reshape(p, [-1]))));
    const approx = forwardDifference(f, theta0, v, step, f(theta0));
    return norm(tf.sub(exact, approx)) / norm(exact);
  });
  assert.ok(error < 1e-3, `relative error ${error}`);
});

test('conv nets fall back to a one-sided finite difference, which still tracks the tangent model', async () => {
  // tfjs has no gradient of max-pooling's gradient, so no double VJP through a conv net with pooling.
  const net: Ref = { op: 'conv', version: 1, params: { input: [8, 8, 1], channels: [[3]], kernel: 3, hidden: [8], classes: 10, activation: 'relu' } };
  const init = await initCheckpoint(net, 1);
  const nearby = displaced(init, 1e-4, 7);
  const result = await runProbe('linearization', { on: testSplit(digits), samples: 64 }, { init, x: nearby });
  assert.equal(result.metrics.fd_step, FD_STEP);
  // Zero biases and blank pixels put many ReLUs exactly at their kink; the one-sided difference
  // follows the side the displacement takes (a central one would leave a relative rmse of ~0.19).
  assert.ok(result.metrics.rmse_relative! < 0.01, `a tiny step is nearly linear (relative rmse ${result.metrics.rmse_relative})`);
  assert.equal(result.metrics.agreement, 1);
});

test('weights of another model are a StageFailure', async () => {
  const init = await initCheckpoint(mlpModel(64, [8], 10, 'relu'));
  const other = await initCheckpoint(mlpModel(64, [9], 10, 'relu'));
  await assert.rejects(runProbe('linearization', { on: testSplit(digits), samples: 10 }, { init, x: other }), /linearization point is a mlp/);
});
