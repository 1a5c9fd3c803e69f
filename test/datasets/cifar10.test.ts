import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { datasetSizes, loadDataset, probeDatasetSizes } from '../../stdlib/datasets/index.ts';
import { cifarBatch, cifarRecord, tempDir, writeCifar } from './fixtures.ts';

const TRAIN_LABELS = [[3, 1], [4], [1, 5], [9], [2, 6]];
const TEST_LABELS = [5, 3, 0];

test('cifar10 concatenates the five training batches and converts CHW records to HWC floats / 255', async (t) => {
  const dir = await tempDir(t);
  await writeCifar(dir, TRAIN_LABELS, TEST_LABELS);
  const data = await loadDataset('cifar10', { path: dir });
  assert.equal(data.name, 'cifar10');
  assert.deepEqual(data.inputShape, [32, 32, 3]);
  assert.equal(data.classes, 10);
  assert.equal(data.train.n, 8);
  assert.deepEqual(data.train.y, Int32Array.from(TRAIN_LABELS.flat()));
  assert.deepEqual(data.test.y, Int32Array.from(TEST_LABELS));
  assert.equal(data.train.x.length, 8 * 3072);

  // Example 1 of the test batch, rebuilt pixel by pixel: HWC position (h, w, c) ← CHW byte (c, h, w).
  const record = cifarRecord(TEST_LABELS[1]!);
  const expected = new Float32Array(3072);
  for (let h = 0; h < 32; h++) {
    for (let w = 0; w < 32; w++) {
      for (let c = 0; c < 3; c++) expected[(h * 32 + w) * 3 + c] = record[1 + c * 1024 + h * 32 + w]! / 255;
    }
  }
  assert.deepEqual(data.test.x.subarray(3072, 6144), expected);
});

test('cifar10 accepts the folder the official archive unpacks in (cifar-10-batches-bin)', async (t) => {
  const root = await tempDir(t);
  const dir = join(root, 'cifar-10-batches-bin');
  await mkdir(dir);
  await writeCifar(dir, TRAIN_LABELS, TEST_LABELS);
  const data = await loadDataset('cifar10', { path: root });
  assert.equal(data.test.n, 3);
});

test('cifar10 sizes come from file lengths: unknown up front, probed from the files', async (t) => {
  const dir = await tempDir(t);
  await writeCifar(dir, TRAIN_LABELS, TEST_LABELS);
  assert.equal(datasetSizes('cifar10', { path: dir }), undefined);
  assert.deepEqual(await probeDatasetSizes('cifar10', { path: dir }), { train: 8, test: 3 });
});

test('a batch whose length is not a multiple of 3073 is a DatasetError naming the file', async (t) => {
  const dir = await tempDir(t);
  await writeCifar(dir, TRAIN_LABELS, TEST_LABELS);
  const file = join(dir, 'data_batch_3.bin');
  await writeFile(file, cifarBatch([1, 2]).subarray(0, 3073 + 100));
  for (const attempt of [() => loadDataset('cifar10', { path: dir }), () => probeDatasetSizes('cifar10', { path: dir })]) {
    await assert.rejects(attempt, (error: Error) => {
      assert.equal(error.name, 'DatasetError');
      assert.ok(error.message.includes(file), error.message);
      assert.match(error.message, /3173 bytes, expected a non-zero multiple of 3073/);
      return true;
    });
  }
});

test('a missing batch is a DatasetError naming it', async (t) => {
  const dir = await tempDir(t);
  await writeCifar(dir, TRAIN_LABELS, TEST_LABELS);
  await rm(join(dir, 'data_batch_5.bin'));
  await assert.rejects(loadDataset('cifar10', { path: dir }), {
    name: 'DatasetError',
    message: new RegExp(`CIFAR-10 batch file not found: ${join(dir, 'data_batch_5.bin')}`),
  });
});

test('a label byte outside 0..9 is a DatasetError', async (t) => {
  const dir = await tempDir(t);
  await writeCifar(dir, TRAIN_LABELS, [1, 12]);
  await assert.rejects(loadDataset('cifar10', { path: dir }), {
    name: 'DatasetError',
    message: /test_batch\.bin: record 1 has label 12, outside 0..9/,
  });
});

test('a missing directory is a DatasetError', async (t) => {
  const dir = join(await tempDir(t), 'absent');
  await assert.rejects(loadDataset('cifar10', { path: dir }), { name: 'DatasetError', message: /directory not found/ });
});
