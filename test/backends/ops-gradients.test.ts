// Gradients of the layer primitives (stdlib/nn/ops.ts) and of tf.matMul on wasm: equal to the cpu
// backend's on the same inputs, and to central finite differences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { conv2d, embedding, linear, maxPool2d } from '../../stdlib/nn/ops.ts';
import { cheaperOrientation } from '../../stdlib/nn/kernels/matmul-orientation.ts';
import {
  assertClose,
  assertMatchesFiniteDifferences,
  CROSS_BACKEND_TOLERANCE,
  gradientsOn,
  intInput,
  normalInput,
  projected,
  useBackend,
  valuesOn,
  type Input,
} from './helpers.ts';

interface GradientCase {
  name: string;
  f: (...xs: tf.Tensor[]) => tf.Tensor;
  inputs: Input[];
  /** Which inputs are differentiated (the others are data or ids). */
  wrt: number[];
}

async function checkGradients({ name, f, inputs, wrt }: GradientCase): Promise<void> {
  const loss = projected(f);
  const cpu = await gradientsOn('cpu', loss, inputs, wrt);
  const wasm = await gradientsOn('wasm', loss, inputs, wrt);
  wrt.forEach((input, i) => {
    assertClose(wasm[i]!, cpu[i]!, CROSS_BACKEND_TOLERANCE, `${name}: d/d input ${input}, wasm vs cpu`);
  });
  // Finite differences on wasm, the backend whose gradients are ltx's own.
  wrt.forEach((input, i) => assertMatchesFiniteDifferences(wasm[i]!, loss, inputs, input, `${name}: d/d input ${input}`));
}

const dense: GradientCase = {
  name: 'linear with bias',
  f: (x, w, b) => linear(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D),
  inputs: [normalInput([5, 7], 'linear/x'), normalInput([7, 4], 'linear/w'), normalInput([4], 'linear/b')],
  wrt: [0, 1, 2],
};

test('linear: gradients on wasm equal cpu and finite differences', () => checkGradients(dense));

test('linear: a layer much wider than the batch (multiplied the other way round on wasm)', async () => {
  assert.equal(cheaperOrientation(3, 40, 50, false, false), 'swapped');
  await checkGradients({
    name: 'wide linear',
    f: (x, w) => linear(x as tf.Tensor2D, w as tf.Tensor2D),
    inputs: [normalInput([3, 40], 'wide/x'), normalInput([40, 50], 'wide/w', 0.2)],
    wrt: [0, 1],
  });
});

test('linear: the value is x·W + b on both backends, also while gradients are recorded', async () => {
  const inputs = [normalInput([3, 40], 'value/x'), normalInput([40, 50], 'value/w'), normalInput([50], 'value/b')];
  const reference = await valuesOn('cpu', (x, w, b) => tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b!), inputs);
  const plain = await valuesOn('wasm', (x, w, b) => linear(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D), inputs);
  assertClose(plain, reference, CROSS_BACKEND_TOLERANCE, 'linear on wasm');
  await useBackend('wasm');
  const [x, w, b] = inputs.map((i) => tf.tensor(i.values, i.shape));
  let recorded: Float32Array | undefined;
  tf.grad((wv: tf.Tensor) => {
    const y = linear(x as tf.Tensor2D, wv as tf.Tensor2D, b as tf.Tensor1D);
    recorded = y.dataSync() as Float32Array;
    return tf.sum(y);
  })(w!);
  assertClose(recorded!, reference, CROSS_BACKEND_TOLERANCE, 'linear on wasm under tf.grad');
});

const convCases: { stride: number; pad: 'same' | 'valid'; cin: number; cout: number; size: number }[] = [
  { stride: 1, pad: 'same', cin: 2, cout: 3, size: 5 },
  { stride: 1, pad: 'valid', cin: 3, cout: 2, size: 6 },
  { stride: 2, pad: 'same', cin: 1, cout: 4, size: 7 },
  { stride: 2, pad: 'valid', cin: 4, cout: 2, size: 6 },
];

for (const c of convCases) {
  const label = `stride ${c.stride}, ${c.pad}, ${c.cin}→${c.cout} channels, ${c.size}×${c.size}`;
  test(`conv2d (${label}): gradients on wasm equal cpu and finite differences`, () =>
    checkGradients({
      name: `conv2d ${label}`,
      f: (x, w, b) => conv2d(x as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, c.stride, c.pad),
      inputs: [
        normalInput([2, c.size, c.size, c.cin], `conv/x/${label}`),
        normalInput([3, 3, c.cin, c.cout], `conv/w/${label}`),
        normalInput([c.cout], `conv/b/${label}`),
      ],
      wrt: [0, 1, 2],
    }));
}

test('conv2d: the value equals tf.conv2d plus bias on cpu', async () => {
  const inputs = [normalInput([2, 6, 6, 3], 'convvalue/x'), normalInput([3, 3, 3, 4], 'convvalue/w'), normalInput([4], 'convvalue/b')];
  const reference = await valuesOn('cpu', (x, w, b) => tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'), b!), inputs);
  for (const backend of ['cpu', 'wasm'] as const) {
    const values = await valuesOn(backend, (x, w, b) => conv2d(x as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, 2, 'same'), inputs);
    assertClose(values, reference, CROSS_BACKEND_TOLERANCE, `conv2d on ${backend}`);
  }
});

test('maxPool2d: gradients on wasm equal cpu and finite differences', () =>
  checkGradients({
    name: 'maxPool2d 2×2',
    f: (x) => maxPool2d(x as tf.Tensor4D, 2, 2),
    inputs: [normalInput([2, 6, 6, 2], 'pool/x')],
    wrt: [0],
  }));

test('embedding: gradients of the table on wasm equal cpu and finite differences (repeated ids add up)', () =>
  checkGradients({
    name: 'embedding',
    f: (table, ids) => embedding(table as tf.Tensor2D, ids!),
    inputs: [normalInput([6, 3], 'embedding/table'), intInput([2, 3], [4, 0, 4, 5, 1, 4])],
    wrt: [0],
  }));

test('tf.matMul with transpose flags and batches: gradients on wasm equal cpu and finite differences', async () => {
  for (const [transposeA, transposeB] of [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ] as const) {
    await checkGradients({
      name: `matMul transposeA=${transposeA} transposeB=${transposeB}`,
      f: (a, b) => tf.matMul(a!, b!, transposeA, transposeB),
      inputs: [
        normalInput(transposeA ? [2, 4, 3] : [2, 3, 4], `matmul/a/${transposeA}`),
        normalInput(transposeB ? [2, 5, 4] : [2, 4, 5], `matmul/b/${transposeB}`),
      ],
      wrt: [0, 1],
    });
  }
});

/** Two 3×3 convs (stride 1 then 2), ReLU, 2×2 max-pool, dense to 3 logits, softmax cross-entropy. */
function tinyConvNet(x: tf.Tensor, k1: tf.Tensor, k2: tf.Tensor, w: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  let h = tf.relu(conv2d(x as tf.Tensor4D, k1 as tf.Tensor4D, undefined, 1, 'same'));
  h = tf.relu(conv2d(h, k2 as tf.Tensor4D, undefined, 2, 'same'));
  const pooled = maxPool2d(h, 2, 2);
  const logits = linear(tf.reshape(pooled, [2, 2 * 2 * 4]) as tf.Tensor2D, w as tf.Tensor2D);
  return tf.losses.softmaxCrossEntropy(labels, logits);
}

test('a tiny 2-conv net end to end: gradients on wasm equal cpu and finite differences', () =>
  checkGradients({
    name: 'tiny conv net',
    f: tinyConvNet,
    inputs: [
      normalInput([2, 8, 8, 2], 'net/x'),
      normalInput([3, 3, 2, 3], 'net/k1', 0.5),
      normalInput([3, 3, 3, 4], 'net/k2', 0.5),
      normalInput([16, 3], 'net/w', 0.5),
      { shape: [2, 3], values: Float32Array.from([0, 1, 0, 1, 0, 0]), dtype: 'float32' },
    ],
    wrt: [1, 2, 3],
  }));
