import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { correct, loss, readScalars } from '../../stdlib/nn/losses.ts';
import { useCpuBackend } from './helpers.ts';

before(useCpuBackend);

const value = (t: tf.Tensor) => t.dataSync()[0]!;
const close = (actual: number, expected: number, tolerance = 1e-5) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} vs ${expected}`);

/** −log softmax(row)[label] in float64. */
function crossEntropy(row: number[], label: number): number {
  const max = Math.max(...row);
  const logSum = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
  return logSum - row[label]!;
}

test('classification loss is the mean softmax cross-entropy', () => {
  const rows = [
    [1, 2, 3],
    [0.5, -1, 0],
  ];
  const got = value(loss('classification', tf.tensor2d(rows), tf.tensor1d([2, 0], 'int32')));
  close(got, (crossEntropy(rows[0]!, 2) + crossEntropy(rows[1]!, 0)) / 2);
});

test('classification loss is finite and right for huge logits', () => {
  const logits = tf.tensor2d([
    [1000, 0],
    [-1000, 1000],
  ]);
  close(value(loss('classification', logits, tf.tensor1d([0, 0], 'int32'))), (0 + 2000) / 2, 1e-3);
});

test('the gradient of the cross-entropy is (softmax − one-hot) / n', () => {
  const rows = [
    [1, 2, 3],
    [0.5, -1, 0],
  ];
  const labels = tf.tensor1d([1, 0], 'int32');
  const grad = tf.grad((logits: tf.Tensor) => loss('classification', logits, labels))(tf.tensor2d(rows)).arraySync() as number[][];
  rows.forEach((row, i) => {
    const sum = row.reduce((s, x) => s + Math.exp(x), 0);
    row.forEach((x, k) => close(grad[i]![k]!, (Math.exp(x) / sum - (k === [1, 0][i] ? 1 : 0)) / 2));
  });
});

test('float labels are read as class indices', () => {
  const logits = tf.tensor2d([
    [0, 3],
    [2, 0],
  ]);
  const asInt = value(loss('classification', logits, tf.tensor1d([1, 0], 'int32')));
  close(value(loss('classification', logits, tf.tensor1d([1, 0]))), asInt);
});

test('regression loss is the mean squared error, without a factor ½', () => {
  const got = value(loss('regression', tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[0, 2], [5, 4]])));
  close(got, (1 + 0 + 4 + 0) / 4);
});

test('regression takes [n] targets for [n, 1] outputs', () => {
  close(value(loss('regression', tf.tensor2d([[1], [3]]), tf.tensor1d([2, 1]))), (1 + 4) / 2);
  assert.throws(() => loss('regression', tf.tensor2d([[1], [3]]), tf.tensor1d([2, 1, 0])), /differ in size/);
});

test('language-model loss is the token cross-entropy averaged over every position', () => {
  const logits = [
    [
      [1, 0, 0],
      [0, 2, 0],
    ],
    [
      [0, 0, 3],
      [1, 1, 1],
    ],
  ];
  const targets = [
    [0, 2],
    [2, 1],
  ];
  const expected =
    (crossEntropy(logits[0]![0]!, 0) + crossEntropy(logits[0]![1]!, 2) + crossEntropy(logits[1]![0]!, 2) + crossEntropy(logits[1]![1]!, 1)) / 4;
  close(value(loss('language-model', tf.tensor3d(logits), tf.tensor2d(targets, [2, 2], 'int32'))), expected);
});

test('correct counts argmax hits, per example or per token (an int32 scalar, read asynchronously)', async () => {
  const logits = tf.tensor2d([
    [0.1, 0.9],
    [0.8, 0.2],
    [0.3, 0.7],
  ]);
  const hits = correct('classification', logits, tf.tensor1d([1, 1, 1], 'int32'));
  assert.equal(hits.dtype, 'int32');
  assert.deepEqual(await readScalars([hits]), [2]);
  assert.equal(hits.isDisposed, true, 'readScalars disposes what it read');
  const tokens = tf.tensor3d([
    [
      [1, 0],
      [0, 1],
    ],
    [
      [1, 0],
      [1, 0],
    ],
  ]);
  assert.deepEqual(await readScalars([correct('language-model', tokens, tf.tensor2d([[0, 1], [1, 0]], [2, 2], 'int32'))]), [3]);
});

test('correct is undefined for regression, and mismatched labels are refused', () => {
  assert.throws(() => correct('regression', tf.tensor2d([[1]]), tf.tensor1d([1])), /not defined for a regression task/);
  assert.throws(() => loss('classification', tf.tensor2d([[1, 2]]), tf.tensor1d([0, 1], 'int32')), /expected 1 labels/);
  assert.throws(() => loss('language-model', tf.tensor2d([[1, 2]]), tf.tensor1d([0], 'int32')), /logits \[n, t, vocab\]/);
});
