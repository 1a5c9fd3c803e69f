import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DatasetError, datasetOps, datasetSizes, loadDataset } from '../../stdlib/datasets/index.ts';

test('every dataset function of the language is registered', () => {
  assert.deepEqual(
    [...datasetOps].sort(),
    ['cifar10', 'digits', 'fashion_mnist', 'gaussian_mixture', 'mnist', 'modular_addition', 'sparse_parity', 'teacher', 'text'],
  );
});

test('an unknown dataset is a DatasetError listing the known ones', async () => {
  assert.throws(() => datasetSizes('imagenet', {}), { name: 'DatasetError', message: /unknown dataset function `imagenet`; known: digits/ });
  await assert.rejects(async () => loadDataset('imagenet', {}), DatasetError);
});

test('parameters are checked even when the compiler is bypassed: missing, wrong type, out of range', async () => {
  await assert.rejects(loadDataset('gaussian_mixture', { classes: 3, dim: 2 }), {
    name: 'DatasetError',
    message: 'gaussian_mixture: missing required parameter `n`',
  });
  await assert.rejects(loadDataset('modular_addition', { p: 1 }), {
    name: 'DatasetError',
    message: 'modular_addition: parameter `p` must be an integer ≥ 2, got 1',
  });
  await assert.rejects(loadDataset('sparse_parity', { bits: 4, k: 2, n: '10' }), {
    name: 'DatasetError',
    message: 'sparse_parity: parameter `n` must be an integer ≥ 2, got "10"',
  });
  await assert.rejects(loadDataset('teacher', { n: 10, inputShape: [0], outputs: 1 }), {
    name: 'DatasetError',
    message: /`inputShape` must be a non-empty list of positive integers/,
  });
});
