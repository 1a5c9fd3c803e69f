// The same computation on the same backend gives the same bits: a few SGD steps of a small conv
// net, run twice from the same seeded weights, end in bit-identical weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { conv2d, linear, maxPool2d } from '../../stdlib/nn/ops.ts';
import { normalInput, tensorOf, useBackend, type Backend } from './helpers.ts';

async function trainTwice(backend: Backend): Promise<[Float32Array[], Float32Array[]]> {
  await useBackend(backend);
  const run = () =>
    tf.tidy(() => {
      const k1 = tf.variable(tensorOf(normalInput([3, 3, 2, 4], 'det/k1', 0.4)));
      const k2 = tf.variable(tensorOf(normalInput([3, 3, 4, 4], 'det/k2', 0.4)));
      const w = tf.variable(tensorOf(normalInput([4 * 4 * 4, 3], 'det/w', 0.3)));
      const b = tf.variable(tf.zeros([3]));
      const x = tensorOf(normalInput([4, 8, 8, 2], 'det/x')) as tf.Tensor4D;
      const labels = tf.oneHot(tf.tensor1d([0, 2, 1, 2], 'int32'), 3);
      const optimizer = tf.train.sgd(0.1);
      for (let step = 0; step < 4; step++) {
        optimizer.minimize(() => {
          let h = tf.relu(conv2d(x, k1 as tf.Tensor4D, undefined, 1, 'same'));
          h = maxPool2d(tf.relu(conv2d(h, k2 as tf.Tensor4D, undefined, 1, 'same')), 2, 2);
          const logits = linear(tf.reshape(h, [4, 64]) as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D);
          return tf.losses.softmaxCrossEntropy(labels, logits);
        });
      }
      const weights = [k1, k2, w, b].map((v) => v.dataSync() as Float32Array);
      tf.dispose([k1, k2, w, b]);
      return weights;
    });
  return [run(), run()];
}

function bits(values: Float32Array[]): Uint32Array[] {
  return values.map((v) => new Uint32Array(v.buffer, v.byteOffset, v.length));
}

for (const backend of ['wasm', 'cpu'] as const) {
  test(`training on ${backend} is bit-for-bit repeatable`, async () => {
    const [first, second] = await trainTwice(backend);
    assert.deepEqual(bits(second), bits(first));
    const initial = normalInput([3, 3, 2, 4], 'det/k1', 0.4).values;
    assert.notDeepEqual(first[0], initial, 'the steps changed the weights');
  });
}
