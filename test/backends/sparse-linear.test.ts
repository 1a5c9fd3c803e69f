// Dense layers with a sparse keep-mask (a pruned level) computed over the mask's nonzeros on wasm:
// the same numbers as the dense product up to float rounding, zero weight gradient off the mask,
// and the rule that picks the sparse kernels, which depends on the mask alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { linear, markSparse, SPARSE_MAX_DENSITY, sparsePatternOf } from '../../stdlib/nn/ops.ts';
import { patternOf } from '../../stdlib/nn/kernels/sparse-linear.ts';
import { createRng } from '../../stdlib/random.ts';
import { assertClose, CROSS_BACKEND_TOLERANCE, normalInput, projected, tensorOf, useBackend } from './helpers.ts';

/** A keep-mask of `shape` keeping about `density` of its entries. */
function keepMask(shape: [number, number], density: number, purpose: string): Uint8Array {
  const rng = createRng(3, `test/sparse/${purpose}`);
  return Uint8Array.from({ length: shape[0] * shape[1] }, () => (rng.uniform() < density ? 1 : 0));
}

interface LayerRun {
  y: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
  db: Float32Array;
}

/** Value and gradients of linear(x, w ⊙ keep, b) on wasm, with the weights marked sparse or not. */
async function runLayer(batch: number, shape: [number, number], keep: Uint8Array, sparse: boolean): Promise<LayerRun> {
  await useBackend('wasm');
  return tf.tidy(() => {
    const x = tensorOf(normalInput([batch, shape[0]], `x/${batch}`));
    const w = tf.mul(tensorOf(normalInput(shape, 'w')), tf.tensor(keep, shape, 'float32'));
    const b = tensorOf(normalInput([shape[1]], 'b'));
    const pattern = sparsePatternOf(keep, shape);
    if (sparse) {
      assert.ok(pattern !== undefined, 'the test mask is sparse enough');
      markSparse(w, pattern);
    }
    const layer = (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) => linear(xs as tf.Tensor2D, ws as tf.Tensor2D, bs as tf.Tensor1D);
    const y = layer(x, w, b);
    // tf.grads hands the function the very tensors it differentiates, so the mark on w holds.
    const [dx, dw, db] = tf.grads(projected(layer))([x, w, b]);
    return { y: y.dataSync() as Float32Array, dx: dx!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array, db: db!.dataSync() as Float32Array };
  });
}

for (const batch of [60, 7]) {
  test(`a sparse dense layer equals the dense product on wasm: value, input, weight and bias gradients (batch ${batch})`, async () => {
    const shape: [number, number] = [37, 23];
    const keep = keepMask(shape, 0.2, `equal/${batch}`);
    const dense = await runLayer(batch, shape, keep, false);
    const sparse = await runLayer(batch, shape, keep, true);
    assertClose(sparse.y, dense.y, CROSS_BACKEND_TOLERANCE, 'value');
    assertClose(sparse.dx, dense.dx, CROSS_BACKEND_TOLERANCE, 'input gradient');
    assertClose(sparse.db, dense.db, CROSS_BACKEND_TOLERANCE, 'bias gradient');
    const denseAtMask = dense.dw.map((g, i) => (keep[i] ? g : 0));
    assertClose(sparse.dw, denseAtMask, CROSS_BACKEND_TOLERANCE, 'weight gradient on the mask');
  });
}

test('the weight gradient of a sparse layer is exactly zero off its mask', async () => {
  const shape: [number, number] = [30, 12];
  const keep = keepMask(shape, 0.1, 'zero');
  const { dw } = await runLayer(9, shape, keep, true);
  const off = [...dw].filter((_, i) => !keep[i]);
  assert.ok(off.length > 0);
  assert.deepEqual(new Set(off.map((g) => Object.is(g, 0))), new Set([true]));
});

test('a sparse layer gives the same bits every time', async () => {
  const shape: [number, number] = [50, 20];
  const keep = keepMask(shape, 0.25, 'repeat');
  const first = await runLayer(13, shape, keep, true);
  const second = await runLayer(13, shape, keep, true);
  for (const part of ['y', 'dx', 'dw'] as const) {
    assert.deepEqual(new Uint32Array(second[part].buffer), new Uint32Array(first[part].buffer), part);
  }
});

test(`the sparse rule: a matrix mask keeping at most ${SPARSE_MAX_DENSITY * 100}% of its weights runs sparse, anything else dense`, () => {
  const ofDensity = (kept: number, total: number) => Uint8Array.from({ length: total }, (_, i) => (i < kept ? 1 : 0));
  assert.notEqual(sparsePatternOf(ofDensity(75, 100), [10, 10]), undefined);
  assert.equal(sparsePatternOf(ofDensity(76, 100), [10, 10]), undefined);
  assert.equal(sparsePatternOf(ofDensity(1, 100), [10, 10, 1]), undefined, 'conv kernels keep the dense kernels');
  const pattern = sparsePatternOf(Uint8Array.from([0, 1, 0, 0, 0, 0, 1, 0, 0, 0]), [2, 5])!;
  assert.deepEqual([...pattern.rows], [0, 1]);
  assert.deepEqual([...pattern.cols], [1, 1]);
});

/** The float32 sum of `terms` in order, from zero, each term already rounded: what the kernels promise. */
function sumInOrder(terms: number[]): number {
  let acc = 0;
  for (const term of terms) acc = Math.fround(acc + term);
  return acc;
}

/** The weight gradient's order: four lanes over the batch (padded with zeros), then (l0 + l1) + (l2 + l3). */
function dotInLanes(a: (n: number) => number, b: (n: number) => number, batch: number): number {
  const lanes = [0, 1, 2, 3].map((lane) => {
    const terms: number[] = [];
    for (let n = lane; n < Math.ceil(batch / 4) * 4; n += 4) terms.push(n < batch ? Math.fround(a(n) * b(n)) : 0);
    return sumInOrder(terms);
  });
  return Math.fround(Math.fround(lanes[0]! + lanes[1]!) + Math.fround(lanes[2]! + lanes[3]!));
}

// Batches of 1, 2, 9, 16 and 19 vectors: narrow blocks, one whole block of 16, 16 + 3 (with padding).
for (const batch of [3, 7, 33, 64, 75]) {
  test(`the sparse kernels sum in a fixed order whatever the blocking: the bits of a float32 reference (batch ${batch})`, async () => {
    await useBackend('wasm');
    const shape: [number, number] = [29, 19];
    const keep = keepMask(shape, 0.45, `order/${batch}`);
    const pattern = patternOf(keep, ...shape);
    const [inputs, outputs] = shape;
    const x = normalInput([batch, inputs], `order/x/${batch}`).values;
    const dy = normalInput([batch, outputs], `order/dy/${batch}`).values;
    const w = normalInput(shape, 'order/w').values.map((v, i) => (keep[i] ? v : 0));
    const [y, dx, dw] = tf.tidy(() => {
      const [xs, ws, dys] = [tf.tensor(x, [batch, inputs]), tf.tensor(w, shape), tf.tensor(dy, [batch, outputs])];
      markSparse(ws, pattern);
      const layer = (a: tf.Tensor, b: tf.Tensor) => linear(a as tf.Tensor2D, b as tf.Tensor2D);
      // d(Σ y ⊙ dy)/dy = dy exactly, so the backward kernels receive dy's bits.
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(layer(a, b), dys)))([xs, ws]);
      return [layer(xs, ws), gx!, gw!].map((t) => t.dataSync() as Float32Array);
    });
    const at = (i: number, j: number) => i * outputs + j;
    const expectedY = Float32Array.from({ length: batch * outputs }, (_, e) => {
      const [n, j] = [Math.floor(e / outputs), e % outputs];
      const terms: number[] = [];
      for (let i = 0; i < inputs; i++) if (keep[at(i, j)]) terms.push(Math.fround(x[n * inputs + i]! * w[at(i, j)]!));
      return sumInOrder(terms);
    });
    const expectedDx = Float32Array.from({ length: batch * inputs }, (_, e) => {
      const [n, i] = [Math.floor(e / inputs), e % inputs];
      const terms: number[] = [];
      for (let j = 0; j < outputs; j++) if (keep[at(i, j)]) terms.push(Math.fround(dy[n * outputs + j]! * w[at(i, j)]!));
      return sumInOrder(terms);
    });
    const expectedDw = Float32Array.from({ length: inputs * outputs }, (_, e) => {
      const [i, j] = [Math.floor(e / outputs), e % outputs];
      return keep[e] ? dotInLanes((n) => x[n * inputs + i]!, (n) => dy[n * outputs + j]!, batch) : 0;
    });
    const bits = (a: Float32Array) => [...new Uint32Array(a.buffer, a.byteOffset, a.length)];
    assert.deepEqual(bits(y), bits(expectedY), 'forward');
    assert.deepEqual(bits(dx), bits(expectedDx), 'input gradient');
    assert.deepEqual(bits(dw), bits(expectedDw), 'weight gradient');
  });
}
