// Which files each dataset reads (its `files` facet): their digests are the dataset's identity, so the
// list must be exactly what its loader reads.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { datasetModule } from '../../stdlib/datasets/index.ts';
import { DIGITS_FILE } from '../../stdlib/datasets/digits.ts';

const corpus = fileURLToPath(new URL('../compiler/fixtures/key-corpus/', import.meta.url));
const filesOf = (op: string, params: Record<string, unknown>) => datasetModule(op).dataset.files(params);

test('digits reads its bundled gz file', async () => {
  assert.deepEqual(await filesOf('digits', { test: 0.2 }), { 'digits.csv.gz': DIGITS_FILE });
});

test('text reads its one file, and says so when it is missing', async () => {
  const file = join(corpus, 'tiny.txt');
  assert.deepEqual(await filesOf('text', { path: file, context: 8 }), { 'tiny.txt': file });
  await assert.rejects(filesOf('text', { path: join(corpus, 'nope.txt'), context: 8 }), { name: 'DatasetError', message: `no such file: ${join(corpus, 'nope.txt')}` });
});

test('mnist reads the four IDX files it finds, by their names', async () => {
  const dir = join(corpus, 'mnist');
  const names = ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte'];
  assert.deepEqual(await filesOf('mnist', { path: dir }), Object.fromEntries(names.map((n) => [n, join(dir, n)])));
});

test('cifar10 reads its five training batches and its test batch', async () => {
  const files = await filesOf('cifar10', { path: join(corpus, 'cifar') });
  assert.deepEqual(Object.keys(files).sort(), ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin']);
});

test('a generated dataset reads no file', async () => {
  assert.deepEqual(await filesOf('gaussian_mixture', { classes: 3, dim: 2, n: 30 }), {});
});

test('a data file that is not a regular file is refused before anything reads it', async () => {
  await assert.rejects(filesOf('text', { path: '/dev/zero', context: 8 }), { name: 'DataFileRefused', message: /character device/ });
});
