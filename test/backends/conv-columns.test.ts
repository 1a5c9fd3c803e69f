// On wasm, the input gradient of a stride-1 conv with a short patch (kh·kw·cin ≤ 256) that is not a
// Winograd conv goes through a column matrix scattered back into the image
// (stdlib/nn/kernels/conv-columns.ts): it agrees with tfjs's own gradient at 'same' and 'valid'
// padding, even kernels (asymmetric padding), one input channel, and a column matrix of several
// slices, and leaves nothing allocated behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { conv2d } from '../../stdlib/nn/ops.ts';
import { COLUMN_PATCH_MAX, runsInputGradientByColumns } from '../../stdlib/nn/kernels/conv-columns.ts';
import { normalInput, projected, tensorOf, useBackend } from './helpers.ts';

type Case = { x: [number, number, number, number]; kernel: number; outChannels: number; pad: 'same' | 'valid' };

const cases: Case[] = [
  { x: [6, 14, 14, 6], kernel: 5, outChannels: 16, pad: 'valid' }, // LeNet-5's conv2
  { x: [2, 9, 7, 3], kernel: 3, outChannels: 5, pad: 'same' },
  { x: [3, 8, 11, 2], kernel: 5, outChannels: 4, pad: 'same' },
  { x: [2, 7, 5, 1], kernel: 4, outChannels: 2, pad: 'same' },
  { x: [2, 6, 6, 4], kernel: 3, outChannels: 3, pad: 'valid' },
  // 20,000 output pixels of 256-float patches: two slices of the column matrix.
  { x: [2, 100, 100, 16], kernel: 4, outChannels: 4, pad: 'same' },
];

const label = (c: Case) => `${c.x.join('x')} ${c.kernel}×${c.kernel}→${c.outChannels} ${c.pad}`;

function inputs(c: Case) {
  const x = tensorOf(normalInput(c.x, `columns/x/${label(c)}`)) as tf.Tensor4D;
  const w = tensorOf(normalInput([c.kernel, c.kernel, c.x[3], c.outChannels], `columns/w/${label(c)}`, 0.3)) as tf.Tensor4D;
  return { x, w };
}

const layer = (c: Case, w: tf.Tensor4D) => (x: tf.Tensor) => conv2d(x as tf.Tensor4D, w, undefined, 1, c.pad);
const direct = (c: Case, w: tf.Tensor4D) => (x: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w, 1, c.pad);

test('the rule: stride 1 and a patch of at most 256 floats', () => {
  assert.equal(COLUMN_PATCH_MAX, 256);
  assert.equal(runsInputGradientByColumns([5, 5, 6, 16], 1), true);
  assert.equal(runsInputGradientByColumns([4, 4, 16, 4], 1), true, 'exactly 256');
  assert.equal(runsInputGradientByColumns([5, 5, 16, 32], 1), false, '400 floats');
  assert.equal(runsInputGradientByColumns([3, 3, 3, 16], 2), false, 'stride 2');
});

test('a conv that meets the rule computes its input gradient by columns', async () => {
  await useBackend('wasm');
  const c = cases[0]!;
  const { x, w } = inputs(c);
  const profile = await tf.profile(() => tf.grad(projected(layer(c, w)))(x));
  const names = profile.kernels.map((k) => k.name);
  assert.ok(names.includes('LtxConv2DInputGradColumns'), names.join(', '));
  assert.ok(!names.includes('Reverse'), 'no rotated kernel');
  tf.dispose([x, w]);
});

for (const c of cases) {
  test(`the input gradient by columns agrees with tfjs's: ${label(c)}`, async () => {
    await useBackend('wasm');
    const { x, w } = inputs(c);
    tf.tidy(() => {
      const dx = tf.grad(projected(layer(c, w)))(x);
      const expected = tf.grad(projected(direct(c, w)))(x);
      const worst = tf.max(tf.abs(tf.sub(dx, expected))).dataSync()[0]!;
      const scale = tf.max(tf.abs(expected)).dataSync()[0]!;
      assert.ok(worst / scale < 1e-5, `${worst} of ${scale}`);
    });
    tf.dispose([x, w]);
  });
}

test('the input gradient by columns leaves no tensor and no backend buffer behind', async () => {
  await useBackend('wasm');
  const c = cases[1]!;
  const { x, w } = inputs(c);
  const step = () => tf.tidy(() => void tf.grad(projected(layer(c, w)))(x));
  step();
  const before = { tensors: tf.memory().numTensors, buffers: tf.engine().backend.numDataIds() };
  step();
  assert.deepEqual({ tensors: tf.memory().numTensors, buffers: tf.engine().backend.numDataIds() }, before);
  tf.dispose([x, w]);
});
