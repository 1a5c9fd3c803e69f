// On wasm, ReLU's gradient is one SIMD pass (stdlib/nn/kernels/relu-gradient.ts) that must give
// exactly the bits of tfjs's dy · cast(step(x)): zeros of either sign, NaN where x is NaN, at sizes
// that are not multiples of 4 and at sizes the loop splits over helper threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { normalInput, useBackend } from './helpers.ts';
import '../../stdlib/nn/gradients.ts';

const bits = (t: tf.Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));

function inputs(size: number): { x: tf.Tensor; dy: tf.Tensor } {
  const xs = normalInput([size], `relu/x/${size}`).values as Float32Array;
  const special = [NaN, 0, -0, Infinity, -Infinity, 1e-45, -1e-45];
  special.forEach((v, i) => {
    if (i < size) xs[(i * 7919) % size] = v;
  });
  const dys = normalInput([size], `relu/dy/${size}`).values as Float32Array;
  if (size > 3) dys[3] = NaN;
  return { x: tf.tensor(xs), dy: tf.tensor(dys) };
}

for (const size of [1, 3, 4, 7, 1000, 300_001]) {
  test(`ReLU's gradient gives tfjs's bits: ${size} elements`, async () => {
    await useBackend('wasm');
    const { x, dy } = inputs(size);
    tf.tidy(() => {
      const [dx] = tf.grads((v: tf.Tensor) => tf.relu(v))([x], dy);
      const expected = tf.mul(dy, tf.cast(tf.step(x), 'float32'));
      assert.deepEqual(bits(dx!), bits(expected));
    });
    tf.dispose([x, dy]);
  });
}

test("ReLU's gradient on wasm is one kernel", async () => {
  await useBackend('wasm');
  const { x, dy } = inputs(64);
  const profile = await tf.profile(() => tf.grads((v: tf.Tensor) => tf.relu(v))([x], dy));
  const names = profile.kernels.map((k) => k.name);
  assert.ok(names.includes('LtxReluGrad'), names.join(', '));
  assert.ok(!names.includes('Step'), names.join(', '));
  tf.dispose([x, dy]);
});
