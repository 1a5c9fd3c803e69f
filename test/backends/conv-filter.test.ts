// The conv weight gradient on wasm computes its products one of two ways, chosen by speed: ltx's
// SIMD loop or XNNPACK matMuls. Both must give the same bits, at strides, paddings, channel counts
// that are not multiples of 4, and grids larger than one chunk of positions; and the bits follow the
// documented order (each chunk's sum from +0 in ascending position, the chunks added in order).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { forceFilterProducts, type FilterProducts } from '../../runtime/backends/kernels/conv2d-backprop-filter.ts';
import { normalInput, tensorOf, useBackend, type ConvCase } from './helpers.ts';

const cases: ConvCase[] = [
  { x: [2, 6, 6, 3], kernel: [3, 3], outChannels: 4, stride: 1, pad: 'same' },
  { x: [2, 7, 7, 2], kernel: [3, 3], outChannels: 5, stride: 2, pad: 'same' },
  { x: [1, 9, 7, 1], kernel: [5, 5], outChannels: 6, stride: 3, pad: 'valid' },
  { x: [1, 8, 9, 4], kernel: [2, 4], outChannels: 2, stride: [2, 1], pad: 'same' },
  { x: [3, 5, 5, 6], kernel: [1, 1], outChannels: 7, stride: 2, pad: 'valid' },
  // LeNet-5's layers, and grids of several chunks.
  { x: [4, 28, 28, 1], kernel: [5, 5], outChannels: 6, stride: 1, pad: 'same' },
  { x: [4, 14, 14, 6], kernel: [5, 5], outChannels: 16, stride: 1, pad: 'valid' },
  { x: [2, 20, 20, 64], kernel: [3, 3], outChannels: 9, stride: 1, pad: 'same' },
];

function filterGradient(c: ConvCase, products: FilterProducts, label: string): { shape: number[]; bits: Uint32Array } {
  forceFilterProducts(products);
  try {
    const dw = tf.tidy(() => {
      const filterShape: [number, number, number, number] = [...c.kernel, c.x[3], c.outChannels];
      const outShape = tf.backend_util.computeConv2DInfo(c.x, filterShape, c.stride, 1, c.pad).outShape;
      const x = tensorOf(normalInput(c.x, `filter/x/${label}`));
      const dy = tensorOf(normalInput(outShape, `filter/dy/${label}`));
      return tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape }) as tf.Tensor;
    });
    const result = { shape: dw.shape, bits: new Uint32Array((dw.dataSync() as Float32Array).slice().buffer) };
    dw.dispose();
    return result;
  } finally {
    forceFilterProducts(undefined);
  }
}

for (const c of cases) {
  const label = `x ${c.x.join('×')}, kernel ${c.kernel.join('×')}→${c.outChannels}, stride ${c.stride}, ${c.pad}`;
  test(`the SIMD loop and XNNPACK's products give the same weight gradient: ${label}`, async () => {
    await useBackend('wasm');
    const simd = filterGradient(c, 'simd', label);
    const xnnpack = filterGradient(c, 'xnnpack', label);
    assert.deepEqual(simd.shape, [...c.kernel, c.x[3], c.outChannels]);
    assert.deepEqual(simd.bits, xnnpack.bits);
  });
}

test('the weight gradient sums each chunk of positions from +0 in order, then the chunks in order', async () => {
  await useBackend('wasm');
  // Stride 1, 'same', 3×3, one input channel: the grid is the padded input, 2 × 52 × 52 positions, and
  // with 9 rows a chunk holds 4096 of them (conv2d-backprop-filter.ts's chunkDepth), so two chunks.
  const [n, h, w, cout] = [2, 50, 50, 3];
  const c: ConvCase = { x: [n, h, w, 1], kernel: [3, 3], outChannels: cout, stride: 1, pad: 'same' };
  const label = 'order';
  const x = normalInput(c.x, `filter/x/${label}`).values as Float32Array;
  const dy = normalInput([n, h, w, cout], `filter/dy/${label}`).values as Float32Array;
  const [gh, gw] = [h + 2, w + 2];
  const plane = new Float32Array(n * gh * gw);
  const grid = new Float32Array(n * gh * gw * cout);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        plane[(b * gh + i + 1) * gw + j + 1] = x[(b * h + i) * w + j]!;
        for (let o = 0; o < cout; o++) grid[((b * gh + i) * gw + j) * cout + o] = dy[((b * h + i) * w + j) * cout + o]!;
      }
    }
  }
  const span = n * gh * gw - (2 * gw + 2);
  const depth = 4096;
  const expected = new Float32Array(9 * cout);
  for (let kh = 0; kh < 3; kh++) {
    for (let kw = 0; kw < 3; kw++) {
      for (let o = 0; o < cout; o++) {
        let total = 0;
        for (let from = 0; from < span; from += depth) {
          let sum = 0;
          for (let p = from; p < Math.min(from + depth, span); p++) sum = Math.fround(sum + Math.fround(plane[p + kh * gw + kw]! * grid[p * cout + o]!));
          total = Math.fround(total + sum);
        }
        expected[(kh * 3 + kw) * cout + o] = total;
      }
    }
  }
  for (const products of ['simd', 'xnnpack'] as const) {
    assert.deepEqual(filterGradient(c, products, label).bits, new Uint32Array(expected.buffer), products);
  }
});
