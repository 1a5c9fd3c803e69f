// The layers bring the gradients they need: loading stdlib/nn fills tfjs's gradient registry and installs
// the wasm-aware matMul gradient, whoever (if anyone) loaded TensorFlow.js and chose the backend. This
// file imports nothing else that loads tfjs (each test file runs in a process of its own).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { explicitTransposeGradient } from '../../stdlib/nn/kernels/matmul-gradient.ts';
import { linear } from '../../stdlib/nn/ops.ts';

test('a dense layer with a ReLU differentiates with nothing but tfjs-core and stdlib loaded', async () => {
  await tf.setBackend('cpu');
  const x = tf.tensor2d([[1, -2], [3, 4]]);
  const w = tf.tensor2d([[0.5, -1], [2, 0.25]]);
  // ReLU's and sum's gradients come from tfjs's registry, which tfjs-core's Node build leaves empty.
  const dw = tf.grad((v: tf.Tensor) => tf.sum(tf.relu(linear(x, v as tf.Tensor2D))))(w);
  // relu(x·w) = [[0, 0], [9.5, 0]]: only y[1][0] is positive, so dw = x[1]ᵀ in the first column.
  assert.deepEqual(Array.from(await dw.data()), [3, 0, 4, 0]);
});

test('tf.matMul differentiates with the explicit-transpose gradient', () => {
  assert.equal(tf.getGradient(tf.BatchMatMul), explicitTransposeGradient);
});
