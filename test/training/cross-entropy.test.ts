// The classification loss runs as one kernel and its gradient as another on wasm and cpu; both must
// give the bits of tfjs's ops one by one (the way webgpu computes them, and the way every cached
// checkpoint's loss history and weights were computed before the kernels existed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { crossEntropyAsOps, loss } from '../../stdlib/nn/losses.ts';
import { createRng } from '../../stdlib/random.ts';
import { useBackend, type Backend } from '../backends/helpers.ts';

/** Seeded logits: normal, with some rows of huge values, ties and a row of equal logits. */
function logitsOf(rows: number, classes: number): tf.Tensor2D {
  const rng = createRng(5, `cross-entropy/${rows}x${classes}`);
  const values = Float32Array.from({ length: rows * classes }, (_, i) => {
    const row = Math.floor(i / classes);
    if (row === 1) return 0.25;
    if (row % 5 === 2) return rng.normal() * 1e3;
    return row % 7 === 3 ? Math.round(rng.normal()) : rng.normal() * 4;
  });
  return tf.tensor2d(values, [rows, classes]);
}

function labelsOf(rows: number, classes: number): tf.Tensor1D {
  const rng = createRng(6, `cross-entropy/labels/${rows}x${classes}`);
  return tf.tensor1d(Int32Array.from({ length: rows }, () => Math.floor(rng.uniform() * classes)), 'int32');
}

const bitsOf = async (t: tf.Tensor) => new Uint32Array((await t.data() as Float32Array).slice().buffer);

for (const backend of ['cpu', 'wasm'] as Backend[]) {
  test(`the loss and its gradient on ${backend} have the bits of the ops one by one`, async () => {
    await useBackend(backend);
    for (const [rows, classes] of [[60, 10], [7, 3], [33, 97], [1, 2]] as const) {
      const [logits, labels] = [logitsOf(rows, classes), labelsOf(rows, classes)];
      const kernel = tf.valueAndGrads((l: tf.Tensor) => loss('classification', l, labels))([logits]);
      const ops = tf.valueAndGrads((l: tf.Tensor) => crossEntropyAsOps(l as tf.Tensor2D, labels))([logits]);
      assert.deepEqual(await bitsOf(kernel.value), await bitsOf(ops.value), `loss, ${rows}x${classes}`);
      assert.deepEqual(await bitsOf(kernel.grads[0]!), await bitsOf(ops.grads[0]!), `gradient, ${rows}x${classes}`);
      tf.dispose([logits, labels, kernel.value, ops.value, ...kernel.grads, ...ops.grads]);
    }
  });

  test(`the loss kernels on ${backend} release everything they make but their results`, async () => {
    await useBackend(backend);
    const [logits, labels] = [logitsOf(60, 10), labelsOf(60, 10)];
    const before = tf.engine().backend.numDataIds();
    tf.tidy(() => { tf.valueAndGrads((l: tf.Tensor) => loss('classification', l, labels))([logits]); });
    assert.equal(tf.engine().backend.numDataIds(), before);
    tf.dispose([logits, labels]);
  });
}
