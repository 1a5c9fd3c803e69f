// On wasm, a 3×3 stride-1 conv of 8+ channels (multiples of 4) computes by Winograd's F(4×4, 3×3)
// (stdlib/nn/kernels/winograd-conv.ts): its output and both gradients agree with the direct
// convolution to float rounding, at 'same' and 'valid' padding, with and without bias, on images
// whose size is not a multiple of the 4×4 output tile, and leave nothing allocated behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { conv2d } from '../../stdlib/nn/ops.ts';
import { forceTransposedProducts, runsWinograd } from '../../stdlib/nn/kernels/winograd-conv.ts';
import { normalInput, projected, tensorOf, useBackend } from './helpers.ts';

interface Case {
  x: [number, number, number, number];
  outChannels: number;
  pad: 'same' | 'valid';
  bias: boolean;
}

const cases: Case[] = [
  { x: [2, 8, 8, 8], outChannels: 4, pad: 'same', bias: true },
  { x: [3, 10, 7, 8], outChannels: 12, pad: 'same', bias: false },
  { x: [2, 9, 11, 16], outChannels: 8, pad: 'valid', bias: true },
  { x: [1, 5, 3, 12], outChannels: 4, pad: 'same', bias: true },
  { x: [4, 16, 16, 32], outChannels: 64, pad: 'same', bias: true },
];

const label = (c: Case) => `${c.x.join('x')}→${c.outChannels} ${c.pad}${c.bias ? ' +bias' : ''}`;

/** Largest elementwise difference relative to the largest magnitude of the reference. */
function relativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  const a = actual.dataSync();
  const e = expected.dataSync();
  assert.equal(a.length, e.length);
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < e.length; i++) {
    scale = Math.max(scale, Math.abs(e[i]!));
    worst = Math.max(worst, Math.abs(a[i]! - e[i]!));
  }
  return worst / scale;
}

function inputs(c: Case) {
  const w = tensorOf(normalInput([3, 3, c.x[3], c.outChannels], `winograd/w/${label(c)}`, 0.3)) as tf.Tensor4D;
  const x = tensorOf(normalInput(c.x, `winograd/x/${label(c)}`)) as tf.Tensor4D;
  const b = c.bias ? (tensorOf(normalInput([c.outChannels], `winograd/b/${label(c)}`)) as tf.Tensor1D) : undefined;
  return { x, w, b };
}

const direct = (c: Case, b: tf.Tensor1D | undefined) => (x: tf.Tensor, w: tf.Tensor) => {
  const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, c.pad);
  return b ? tf.add(y, b) : y;
};
const layer = (c: Case, b: tf.Tensor1D | undefined) => (x: tf.Tensor, w: tf.Tensor) => conv2d(x as tf.Tensor4D, w as tf.Tensor4D, b, 1, c.pad);

test('the rule: 3×3 kernels at stride 1 with 8+ input channels and channel counts in multiples of 4', () => {
  assert.equal(runsWinograd([60, 32, 32, 64], [3, 3, 64, 64], 1), true);
  assert.equal(runsWinograd([60, 16, 16, 64], [3, 3, 64, 128], 1), true);
  assert.equal(runsWinograd([60, 32, 32, 3], [3, 3, 3, 64], 1), false, 'a first layer of 3 channels');
  assert.equal(runsWinograd([60, 32, 32, 4], [3, 3, 4, 64], 1), false, 'fewer than 8 input channels');
  assert.equal(runsWinograd([60, 32, 32, 64], [3, 3, 64, 64], 2), false, 'stride 2');
  assert.equal(runsWinograd([60, 14, 14, 8], [5, 5, 8, 16], 1), false, '5×5');
  assert.equal(runsWinograd([60, 32, 32, 64], [3, 3, 64, 10], 1), false, 'output channels not a multiple of 4');
  // 36 × 32·56·56 tiles × 64 channels: 231M floats of transformed planes, past the heap's budget.
  assert.equal(runsWinograd([32, 224, 224, 64], [3, 3, 64, 64], 1), false, 'planes too large');
  assert.equal(runsWinograd([2, 224, 224, 64], [3, 3, 64, 64], 1), true);
});

test('a conv that meets the rule runs the Winograd kernels, forward and backward', async () => {
  await useBackend('wasm');
  const c = cases[0]!;
  const { x, w, b } = inputs(c);
  const profile = await tf.profile(() => tf.grads(projected(layer(c, b)))([x, w]));
  const names = profile.kernels.map((k) => k.name);
  for (const name of ['LtxWinogradConv2D', 'LtxWinogradConv2DInputGrad', 'LtxWinogradConv2DFilterGrad']) {
    assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
  }
  assert.ok(!names.includes('Conv2D') && !names.includes('FusedConv2D'), names.join(', '));
  tf.dispose([x, w, b ?? []]);
});

for (const c of cases) {
  test(`output and gradients agree with the direct convolution: ${label(c)}`, async () => {
    await useBackend('wasm');
    const { x, w, b } = inputs(c);
    tf.tidy(() => {
      assert.ok(relativeError(layer(c, b)(x, w), direct(c, b)(x, w)) < 1e-5, 'output');
      const [dx, dw] = tf.grads(projected(layer(c, b)))([x, w]);
      const [dxDirect, dwDirect] = tf.grads(projected(direct(c, b)))([x, w]);
      assert.ok(relativeError(dx!, dxDirect!) < 1e-5, 'input gradient');
      assert.ok(relativeError(dw!, dwDirect!) < 1e-5, 'filter gradient');
    });
    tf.dispose([x, w, b ?? []]);
  });
}

test('the same inputs give the same bits on every call', async () => {
  await useBackend('wasm');
  const c = cases[4]!;
  const { x, w, b } = inputs(c);
  const run = () =>
    tf.tidy(() => {
      const [dx, dw] = tf.grads(projected(layer(c, b)))([x, w]);
      return [layer(c, b)(x, w), dx!, dw!].map((t) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer)));
    });
  assert.deepEqual(run(), run());
  tf.dispose([x, w, b ?? []]);
});

test('forward and backward leave no tensor and no backend buffer behind', async () => {
  await useBackend('wasm');
  const c = cases[1]!;
  const { x, w, b } = inputs(c);
  const step = () => tf.tidy(() => void tf.grads(projected(layer(c, b)))([x, w]));
  step(); // the first call registers the kernels and compiles the loops
  const before = { tensors: tf.memory().numTensors, buffers: tf.engine().backend.numDataIds() };
  step();
  assert.deepEqual({ tensors: tf.memory().numTensors, buffers: tf.engine().backend.numDataIds() }, before);
  tf.dispose([x, w, b ?? []]);
});

test('the filter gradient gives the same bits from its SIMD loop and from XNNPACK products', async () => {
  await useBackend('wasm');
  for (const c of [cases[1]!, cases[4]!]) {
    const { x, w, b } = inputs(c);
    const filterGradient = (products: 'loop' | 'xnnpack') => {
      forceTransposedProducts(products);
      try {
        return tf.tidy(() => {
          const dw = tf.grads(projected(layer(c, b)))([x, w])[1]!;
          return Array.from(new Uint32Array((dw.dataSync() as Float32Array).slice().buffer));
        });
      } finally {
        forceTransposedProducts(undefined);
      }
    };
    assert.deepEqual(filterGradient('loop'), filterGradient('xnnpack'), label(c));
    tf.dispose([x, w, b ?? []]);
  }
});
