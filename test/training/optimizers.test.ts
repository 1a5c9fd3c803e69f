// Two updates of each optimizer on one weight w0 = 1 with the gradient 0.5 both times, against the
// arithmetic written out by hand (PyTorch's definitions; see stdlib/optimizers/*.ts).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { Json } from '../../core/json.ts';
import { createOptimizer, readOptimizerConfig, type TensorOptimizer } from '../../stdlib/optimizers/index.ts';
import { optimizerDescriptor } from './descriptors.ts';
import { useCpuBackend } from './helpers.ts';

before(useCpuBackend);

/** w after two updates of `optimizer` from w0 with constant gradient g and learning rate lr. */
function twoUpdates(optimizer: TensorOptimizer, w0: number, g: number, lr: number): number[] {
  let param: tf.Tensor = tf.scalar(w0);
  let slots: Record<string, tf.Tensor> = Object.fromEntries(optimizer.slotNames.map((s) => [s, tf.scalar(0)]));
  const seen: number[] = [];
  for (const update of [1, 2]) {
    const next = optimizer.apply(param, tf.scalar(g), slots, lr, update);
    param = next.param;
    slots = next.slots;
    seen.push(param.dataSync()[0]!);
  }
  return seen;
}

function assertClose(actual: number[], expected: number[]): void {
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) < 2e-6, `update ${i + 1}: ${a} vs ${expected[i]}`));
}

const sgd = (extra: { [key: string]: Json }) => createOptimizer(readOptimizerConfig(optimizerDescriptor('sgd', { lr: 0.1, ...extra })));
const adam = (op: string, extra: { [key: string]: Json }) =>
  createOptimizer(readOptimizerConfig(optimizerDescriptor(op, { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, ...extra })));

test('plain sgd steps by lr·g', async () => {
  // 1 − 0.05 = 0.95; 0.95 − 0.05 = 0.9
  assertClose(twoUpdates(await sgd({}), 1, 0.5, 0.1), [0.95, 0.9]);
});

test('sgd with momentum accumulates the gradient in its buffer', async () => {
  // buf = 0.5, w = 0.95; buf = 0.9·0.5 + 0.5 = 0.95, w = 0.95 − 0.095 = 0.855
  assertClose(twoUpdates(await sgd({ momentum: 0.9 }), 1, 0.5, 0.1), [0.95, 0.855]);
});

test('sgd with nesterov momentum and L2 weight decay', async () => {
  // g' = 0.5 + 0.01·1 = 0.51, buf = 0.51, d = 0.51 + 0.9·0.51 = 0.969, w = 1 − 0.0969 = 0.9031
  // g' = 0.5 + 0.01·0.9031 = 0.509031, buf = 0.9·0.51 + 0.509031 = 0.968031,
  // d = 0.509031 + 0.9·0.968031 = 1.3802589, w = 0.9031 − 0.13802589 = 0.76507411
  assertClose(twoUpdates(await sgd({ momentum: 0.9, nesterov: true, weight_decay: 0.01 }), 1, 0.5, 0.1), [0.9031, 0.76507411]);
});

test('adam moves by about lr per step under a constant gradient', async () => {
  // Bias-corrected m/√v = g/|g| = 1 both times: w = 1 − 0.1·0.5/(0.5 + 1e-8), then again.
  assertClose(twoUpdates(await adam('adam', { weight_decay: 0 }), 1, 0.5, 0.1), [0.900000002, 0.800000004]);
});

test('adam adds L2 weight decay to the gradient', async () => {
  // g' = 0.6: w = 0.9; g' = 0.5 + 0.1·0.9 = 0.59, m = 0.9·0.06 + 0.1·0.59 = 0.113, m̂ = 0.113/0.19,
  // v = 0.999·0.00036 + 0.001·0.3481 = 0.00070774, v̂ = v/0.001999, w = 0.9 − 0.1·m̂/(√v̂ + 1e-8)
  assertClose(twoUpdates(await adam('adam', { weight_decay: 0.1 }), 1, 0.5, 0.1), [0.9000000016666666, 0.8000473404883315]);
});

test('adamw decays the weight itself, outside the gradient', async () => {
  // w = 1·(1 − 0.1·0.1) = 0.99, then − 0.1 → 0.89; w = 0.89·0.99 = 0.8811, then − 0.1 → 0.7811
  assertClose(twoUpdates(await adam('adamw', { weight_decay: 0.1 }), 1, 0.5, 0.1), [0.890000002, 0.7811000039800006]);
});

test('the optimizer config reads every setting of the descriptor and refuses unknown optimizers', async () => {
  const config = readOptimizerConfig(optimizerDescriptor('adamw', { lr: 0.01 }));
  assert.deepEqual(config, { op: 'adamw', lr: 0.01, warmup: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 });
  assert.throws(() => readOptimizerConfig({ op: 'rmsprop', lr: 0.01 }), /unknown optimizer "rmsprop" \(known: sgd, adam, adamw\)/);
  assert.throws(() => readOptimizerConfig(optimizerDescriptor('sgd', { lr: -1 })), /'lr' has an invalid value -1/);
});

test('a setting missing from the descriptor is named: the defaults are the schema\'s, which the compiler fills', async () => {
  assert.throws(() => readOptimizerConfig({ op: 'sgd', lr: 0.1, warmup: 0 }), /optimizer sgd: 'momentum' is missing/);
  assert.throws(() => readOptimizerConfig({ op: 'sgd', warmup: 0 }), /optimizer sgd: 'lr' is missing/);
});
