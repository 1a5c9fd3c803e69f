// The kernels registered for wasm, run directly and compared with the cpu backend's on the same
// inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { maxPoolGradInJavaScript } from '../../runtime/backends/kernels/max-pool-grad.ts';
import { registerWasmKernelFixes } from '../../runtime/backends/wasm-kernels.ts';
import {
  assertClose,
  CROSS_BACKEND_TOLERANCE,
  intInput,
  normalInput,
  tensorOf,
  useBackend,
  type Backend,
  type ConvCase,
  type Input,
} from './helpers.ts';

async function kernelOn(
  backend: Backend,
  kernelName: string,
  inputs: Record<string, Input>,
  attrs: object,
): Promise<{ shape: number[]; values: Float32Array | Int32Array }> {
  await useBackend(backend);
  return tf.tidy(() => {
    const tensors = Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, tensorOf(input)]));
    const out = tf.engine().runKernel(kernelName, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
    return { shape: out.shape, values: out.dataSync() as Float32Array | Int32Array };
  });
}

const convCases: ConvCase[] = [
  { x: [2, 6, 6, 3], kernel: [3, 3], outChannels: 4, stride: 1, pad: 'same' },
  { x: [2, 6, 6, 3], kernel: [3, 3], outChannels: 4, stride: 1, pad: 'valid' },
  { x: [2, 7, 7, 2], kernel: [3, 3], outChannels: 5, stride: 2, pad: 'same' },
  { x: [2, 8, 8, 2], kernel: [3, 3], outChannels: 5, stride: 2, pad: 'valid' },
  { x: [1, 9, 7, 1], kernel: [5, 5], outChannels: 3, stride: 3, pad: 'same' },
  { x: [1, 8, 9, 4], kernel: [2, 4], outChannels: 2, stride: [2, 1], pad: 'same' },
  { x: [3, 5, 5, 6], kernel: [1, 1], outChannels: 7, stride: 2, pad: 'valid' },
  // Grids larger than one product's chunk of pixels: the partial products add up.
  { x: [2, 20, 20, 64], kernel: [3, 3], outChannels: 2, stride: 1, pad: 'same' },
  { x: [4, 30, 30, 64], kernel: [3, 3], outChannels: 3, stride: 2, pad: 'same' },
];

for (const c of convCases) {
  const label = `x ${c.x.join('×')}, kernel ${c.kernel.join('×')}→${c.outChannels}, stride ${c.stride}, ${c.pad}`;
  test(`Conv2DBackpropFilter on wasm equals cpu: ${label}`, async () => {
    const filterShape: [number, number, number, number] = [...c.kernel, c.x[3], c.outChannels];
    const outShape = tf.backend_util.computeConv2DInfo(c.x, filterShape, c.stride, 1, c.pad).outShape;
    const inputs = { x: normalInput(c.x, `dw/x/${label}`), dy: normalInput(outShape, `dw/dy/${label}`) };
    const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape };
    const cpu = await kernelOn('cpu', tf.Conv2DBackpropFilter, inputs, attrs);
    const wasm = await kernelOn('wasm', tf.Conv2DBackpropFilter, inputs, attrs);
    assert.deepEqual(wasm.shape, filterShape);
    assertClose(wasm.values, cpu.values, CROSS_BACKEND_TOLERANCE, label);
  });
}

interface PoolCase {
  x: [number, number, number, number];
  size: number;
  stride: number;
  pad: 'same' | 'valid';
}

const poolCases: PoolCase[] = [
  // tfjs 4.22's own wasm MaxPoolGrad drops gradients in this most common case.
  { x: [2, 6, 6, 3], size: 2, stride: 2, pad: 'valid' },
  { x: [1, 7, 7, 2], size: 3, stride: 2, pad: 'same' },
  { x: [1, 5, 6, 2], size: 3, stride: 1, pad: 'same' },
  { x: [2, 7, 5, 1], size: 2, stride: 2, pad: 'same' },
  // Four channels at a time, then the last four once more for the rest (fewer than 4: one by one).
  { x: [2, 8, 8, 6], size: 2, stride: 2, pad: 'valid' },
  { x: [1, 6, 6, 7], size: 2, stride: 1, pad: 'valid' },
  { x: [1, 7, 7, 8], size: 3, stride: 2, pad: 'same' },
  { x: [1, 6, 5, 5], size: 3, stride: 1, pad: 'same' },
];

async function maxPoolGradOn(backend: Backend, c: PoolCase, x: Input): Promise<Float32Array> {
  await useBackend(backend);
  return tf.tidy(() => {
    const input = tensorOf(x) as tf.Tensor4D;
    const output = tf.maxPool(input, c.size, c.stride, c.pad);
    const dy = tf.add(tf.reshape(tf.range(0, output.size), output.shape), 1);
    const attrs = { filterSize: c.size, strides: c.stride, pad: c.pad };
    return (tf.engine().runKernel(tf.MaxPoolGrad, { dy, input, output }, attrs) as tf.Tensor).dataSync() as Float32Array;
  });
}

for (const c of poolCases) {
  const label = `x ${c.x.join('×')}, ${c.size}×${c.size} stride ${c.stride} ${c.pad}`;
  test(`MaxPoolGrad on wasm routes each window's gradient like cpu: ${label}`, async () => {
    const x = normalInput(c.x, `pool/${label}`);
    assert.deepEqual(await maxPoolGradOn('wasm', c, x), await maxPoolGradOn('cpu', c, x));
  });

  test(`MaxPoolGrad on wasm breaks ties like cpu (ReLU zeros): ${label}`, async () => {
    const x = normalInput(c.x, `pool/${label}`);
    const relu: Input = { ...x, values: x.values.map((v) => Math.max(0, v)) };
    assert.deepEqual(await maxPoolGradOn('wasm', c, relu), await maxPoolGradOn('cpu', c, relu));
  });
}

test('MaxPoolGrad on wasm: the SIMD loop routes like the JavaScript loop, NaNs and overlapping windows included', async () => {
  const c: PoolCase = { x: [2, 7, 7, 7], size: 3, stride: 2, pad: 'same' };
  const x = normalInput(c.x, 'pool/nan');
  // NaN at a window's first position (it loses to any number), inside windows, and whole NaN windows.
  const values = Float32Array.from(x.values, (v, i) => (i % 11 === 0 || i % 29 < 7 ? Number.NaN : v));
  const withNaNs: Input = { ...x, values };
  const simd = await maxPoolGradOn('wasm', c, withNaNs);
  maxPoolGradInJavaScript(true);
  try {
    assert.deepEqual(simd, await maxPoolGradOn('wasm', c, withNaNs));
  } finally {
    maxPoolGradInJavaScript(false);
  }
});

test('MaxPoolGrad on wasm gives a window of -Infinity its gradient at the first position', async () => {
  await useBackend('wasm');
  const input = tf.fill([1, 2, 2, 1], Number.NEGATIVE_INFINITY) as tf.Tensor4D;
  const dy = tf.tensor4d([5], [1, 1, 1, 1]);
  const dx = tf.engine().runKernel(tf.MaxPoolGrad, { dy, input, output: dy }, { filterSize: 2, strides: 2, pad: 'valid' });
  assert.deepEqual(Array.from((dx as tf.Tensor).dataSync()), [5, 0, 0, 0]);
});

test('UnsortedSegmentSum on wasm equals cpu, with repeated and unused ids', async () => {
  const inputs = {
    x: normalInput([7, 3, 2], 'segments/x'),
    segmentIds: intInput([7], [4, 0, 4, 2, 0, 4, 1]),
  };
  const attrs = { numSegments: 6 };
  const cpu = await kernelOn('cpu', tf.UnsortedSegmentSum, inputs, attrs);
  const wasm = await kernelOn('wasm', tf.UnsortedSegmentSum, inputs, attrs);
  assert.deepEqual(wasm.shape, [6, 3, 2]);
  assertClose(wasm.values, cpu.values, CROSS_BACKEND_TOLERANCE, 'segment sums');
  assert.deepEqual(Array.from(wasm.values.slice(5 * 6)), [0, 0, 0, 0, 0, 0], 'segment 5 has no rows');
});

test('UnsortedSegmentSum on wasm sums int32 rows and drops negative ids', async () => {
  const out = await kernelOn(
    'wasm',
    tf.UnsortedSegmentSum,
    { x: intInput([4, 2], [1, 2, 10, 20, 100, 200, 1000, 2000]), segmentIds: intInput([4], [1, -1, 1, 0]) },
    { numSegments: 2 },
  );
  assert.deepEqual(Array.from(out.values), [1000, 2000, 101, 202]);
});

test('Identity on wasm shares data: a clone outlives its disposed original', async () => {
  await useBackend('wasm');
  const original = tf.tensor2d([
    [1, 2],
    [3, 4],
  ]);
  const bytesBefore = tf.memory().numBytes;
  const copy = tf.clone(original);
  original.dispose();
  assert.deepEqual(Array.from(copy.dataSync()), [1, 2, 3, 4]);
  assert.equal(tf.memory().numBytes, bytesBefore, 'the clone allocated no new buffer');
  copy.dispose();
});

test('registering the fixes again changes nothing', async () => {
  await useBackend('wasm');
  assert.deepEqual(registerWasmKernelFixes(), []);
});

for (const shape of [[784, 300], [60, 784], [10, 7], [3, 5], [1, 9], [13, 1]] as [number, number][]) {
  test(`Transpose of a [${shape}] float32 matrix moves every element where the cpu backend does`, async () => {
    const x = normalInput(shape, `transpose/${shape}`);
    const wasm = await kernelOn('wasm', tf.Transpose, { x }, { perm: [1, 0] });
    const cpu = await kernelOn('cpu', tf.Transpose, { x }, { perm: [1, 0] });
    assert.deepEqual(wasm.shape, [shape[1], shape[0]]);
    assert.deepEqual(wasm.values, cpu.values);
  });
}

test('Transpose of int32 and of three dimensions goes to the backend\'s own kernel, with the cpu backend\'s result', async () => {
  const ints = intInput([2, 3], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(Array.from((await kernelOn('wasm', tf.Transpose, { x: ints }, { perm: [1, 0] })).values), [1, 4, 2, 5, 3, 6]);
  const cube = normalInput([2, 3, 4], 'transpose/cube');
  for (const perm of [[2, 0, 1], [0, 2, 1]]) {
    const wasm = await kernelOn('wasm', tf.Transpose, { x: cube }, { perm });
    const cpu = await kernelOn('cpu', tf.Transpose, { x: cube }, { perm });
    assert.deepEqual(wasm.shape, cpu.shape);
    assert.deepEqual(wasm.values, cpu.values);
  }
});

/** Each output the sum of its column's elements one after another from 0, in float32: the built-in kernel's order. */
function sequentialColumnSums(values: Float32Array, cols: number): Float32Array {
  const out = new Float32Array(cols);
  for (let r = 0; r < values.length / cols; r++) for (let j = 0; j < cols; j++) out[j] = Math.fround(out[j]! + values[r * cols + j]!);
  return out;
}

for (const [shape, axis, keepDims] of [
  [[60, 8, 8, 64], [0, 1, 2], false],
  [[7, 5, 6], [1, 0], true],
  [[9, 13], 0, false],
  [[4, 3, 2, 3], [-4, -3], false],
] as [number[], number | number[], boolean][]) {
  test(`Sum over the leading axes on wasm gives the built-in kernel's bits: [${shape}] over ${JSON.stringify(axis)}${keepDims ? ', keepDims' : ''}`, async () => {
    const x = normalInput(shape, `sum/${shape}`);
    const wasm = await kernelOn('wasm', tf.Sum, { x }, { axis, keepDims });
    const k = (Array.isArray(axis) ? axis : [axis]).length;
    const kept = shape.slice(k);
    assert.deepEqual(wasm.shape, keepDims ? [...shape.slice(0, k).map(() => 1), ...kept] : kept);
    const cols = kept.reduce((a, b) => a * b, 1);
    assert.deepEqual(wasm.values, sequentialColumnSums(x.values as Float32Array, cols));
  });
}

test('Sum over other axes, or of int32, goes to the backend\'s own kernel, with the cpu backend\'s result', async () => {
  const x = normalInput([3, 4, 5], 'sum/other');
  for (const axis of [[1, 2], 2, [0, 2], [0, 1, 2]]) {
    const wasm = await kernelOn('wasm', tf.Sum, { x }, { axis, keepDims: false });
    const cpu = await kernelOn('cpu', tf.Sum, { x }, { axis, keepDims: false });
    assert.deepEqual(wasm.shape, cpu.shape);
    assertClose(wasm.values, cpu.values, CROSS_BACKEND_TOLERANCE, JSON.stringify(axis));
  }
  const ints = intInput([2, 3], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(Array.from((await kernelOn('wasm', tf.Sum, { x: ints }, { axis: 0, keepDims: false })).values), [5, 7, 9]);
});
