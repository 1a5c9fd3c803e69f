import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../stdlib/random.ts';
import { sizesFromTestFraction, sizesFromTrainFraction, stratifiedQuotas, stratifiedSplit } from '../../stdlib/datasets/split.ts';

test('split sizes round the named share and give the rest to the other split', () => {
  assert.deepEqual(sizesFromTestFraction('d', 1797, 0.2), { train: 1438, test: 359 });
  assert.deepEqual(sizesFromTrainFraction('d', 97 * 97, 0.3), { train: 2823, test: 6586 });
});

test('a share that empties a split is a DatasetError', () => {
  assert.throws(() => sizesFromTestFraction('d', 10, 0.01), { name: 'DatasetError', message: /d: .* 10 for training and 0 for testing/ });
  assert.throws(() => sizesFromTrainFraction('d', 4, 0.9), { name: 'DatasetError', message: /4 for training and 0 for testing/ });
});

test('stratified quotas are proportional and add up to exactly the test size (largest remainder)', () => {
  assert.deepEqual(stratifiedQuotas([5, 5, 5], 4), [2, 1, 1]);
  assert.deepEqual(stratifiedQuotas([10, 30, 60], 10), [1, 3, 6]);
  assert.deepEqual(stratifiedQuotas([1, 1, 8], 5), [1, 0, 4]);
  assert.equal(stratifiedQuotas([178, 182, 177, 183, 181, 182, 181, 179, 174, 180], 359).reduce((a, b) => a + b), 359);
});

test('a stratified split partitions the examples and draws each class its quota', () => {
  const labels = Int32Array.from({ length: 40 }, (_, i) => (i < 10 ? 0 : 1));
  const { train, test } = stratifiedSplit(labels, 2, 8, createRng(0, 'test'));
  assert.equal(train.length + test.length, 40);
  assert.deepEqual(new Set([...train, ...test]).size, 40);
  assert.equal(test.filter((i) => labels[i] === 0).length, 2);
  assert.equal(test.filter((i) => labels[i] === 1).length, 6);
  assert.deepEqual(Array.from(test), Array.from(test).sort((a, b) => a - b), 'indices come in file order');
});
