import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { datasetSizes, loadDataset, probeDatasetSizes } from '../../stdlib/datasets/index.ts';
import { idxBytes, idxPart, imagePixels, tempDir, writeMnist } from './fixtures.ts';

const TRAIN = 12;
const TEST = 5;

for (const gzip of [true, false]) {
  test(`mnist loads ${gzip ? 'gzipped' : 'raw'} IDX files: NHWC pixels / 255 and int32 labels`, async (t) => {
    const dir = await tempDir(t);
    await writeMnist(dir, idxPart(TRAIN), idxPart(TEST), { gzip });
    const data = await loadDataset('mnist', { path: dir });
    assert.equal(data.name, 'mnist');
    assert.deepEqual(data.inputShape, [4, 3, 1]);
    assert.equal(data.classes, 10);
    assert.equal(data.train.n, TRAIN);
    assert.equal(data.test.n, TEST);
    const expectedPixels = Float32Array.from(imagePixels(TRAIN, 4, 3), (v) => v / 255);
    assert.deepEqual(data.train.x, expectedPixels);
    assert.deepEqual(data.train.y, Int32Array.from({ length: TRAIN }, (_, i) => i % 10));
    assert.deepEqual(data.test.y, Int32Array.from({ length: TEST }, (_, i) => i));
  });
}

test('mnist finds the dotted file names (train-images.idx3-ubyte) too', async (t) => {
  const dir = await tempDir(t);
  await writeMnist(dir, idxPart(TRAIN), idxPart(TEST), { gzip: false, naming: 'dot' });
  const data = await loadDataset('mnist', { path: dir });
  assert.equal(data.train.n, TRAIN);
});

test('fashion_mnist reads the same format from any path; its sizes are known only for the default path', async (t) => {
  const dir = await tempDir(t);
  await writeMnist(dir, idxPart(TRAIN), idxPart(TEST), { gzip: true });
  const data = await loadDataset('fashion_mnist', { path: dir });
  assert.equal(data.name, 'fashion_mnist');
  assert.equal(data.train.n, TRAIN);
  assert.deepEqual(datasetSizes('fashion_mnist', {}), { train: 60000, test: 10000 });
  assert.deepEqual(datasetSizes('fashion_mnist', { path: '/usr/share/datasets/fashion-mnist/' }), { train: 60000, test: 10000 });
  assert.equal(datasetSizes('fashion_mnist', { path: dir }), undefined);
  assert.equal(datasetSizes('mnist', { path: dir }), undefined);
});

for (const gzip of [true, false]) {
  test(`probeDatasetSizes reads the counts from ${gzip ? 'gzipped' : 'raw'} IDX headers`, async (t) => {
    const dir = await tempDir(t);
    await writeMnist(dir, idxPart(TRAIN), idxPart(TEST), { gzip });
    assert.deepEqual(await probeDatasetSizes('mnist', { path: dir }), { train: TRAIN, test: TEST });
  });
}

/** Writes a valid dataset, then lets `damage` replace one file; returns the load failure. */
async function failureAfter(
  t: Parameters<typeof tempDir>[0],
  damage: (files: Record<string, string>) => Promise<void>,
  gzip = false,
): Promise<Error> {
  const dir = await tempDir(t);
  const files = await writeMnist(dir, idxPart(TRAIN), idxPart(TEST), { gzip });
  await damage(files);
  return loadDataset('mnist', { path: dir }).then(
    () => assert.fail('expected the load to fail'),
    (error: Error) => error,
  );
}

test('a bad magic number is a DatasetError naming the file and the expected magic', async (t) => {
  let file = '';
  const error = await failureAfter(t, async (files) => {
    file = files['train-labels']!;
    // An images header where labels belong.
    await writeFile(file, idxBytes([TRAIN, 1, 1], new Uint8Array(TRAIN)));
  });
  assert.equal(error.name, 'DatasetError');
  assert.ok(error.message.includes(file), error.message);
  assert.match(error.message, /magic number 0x00000803, expected 0x00000801/);
});

test('a truncated image file is a DatasetError naming the file and the expected length', async (t) => {
  let file = '';
  const error = await failureAfter(t, async (files) => {
    file = files['test-images']!;
    const whole = idxPart(TEST).images;
    await writeFile(file, gzipSync(whole.subarray(0, whole.length - 7)));
  }, true);
  assert.equal(error.name, 'DatasetError');
  assert.ok(error.message.includes(file), error.message);
  assert.match(error.message, /truncated.*needs 76 bytes, the file holds 69/);
});

test('a file cut inside its header is a DatasetError', async (t) => {
  let file = '';
  const error = await failureAfter(t, async (files) => {
    file = files['train-images']!;
    await writeFile(file, idxPart(TRAIN).images.subarray(0, 10));
  });
  assert.equal(error.name, 'DatasetError');
  assert.match(error.message, new RegExp(`${file} is truncated: its IDX header needs 16 bytes`));
});

test('trailing bytes after the announced data are a DatasetError', async (t) => {
  const error = await failureAfter(t, async (files) => {
    const whole = idxPart(TRAIN).labels;
    await writeFile(files['train-labels']!, Buffer.concat([whole, Buffer.from([1, 2])]));
  });
  assert.equal(error.name, 'DatasetError');
  assert.match(error.message, /train-labels-idx1-ubyte has trailing data/);
});

test('image and label counts that disagree are a DatasetError naming both files', async (t) => {
  let files: Record<string, string> = {};
  const error = await failureAfter(t, async (written) => {
    files = written;
    await writeFile(written['train-labels']!, idxPart(TRAIN - 1).labels);
  });
  assert.equal(error.name, 'DatasetError');
  assert.ok(error.message.includes(files['train-images']!) && error.message.includes(files['train-labels']!), error.message);
  assert.match(error.message, /12 images but .* 11 labels/);
});

test('a label outside 0..9 is a DatasetError', async (t) => {
  const error = await failureAfter(t, async (files) => {
    await writeFile(files['test-labels']!, idxBytes([TEST], Uint8Array.from([0, 1, 2, 10, 4])));
  });
  assert.equal(error.name, 'DatasetError');
  assert.match(error.message, /t10k-labels-idx1-ubyte: label 10 at index 3 is outside 0..9/);
});

test('train and test images of different sizes are a DatasetError', async (t) => {
  const dir = await tempDir(t);
  await writeMnist(dir, idxPart(TRAIN, 4, 3), idxPart(TEST, 3, 4), { gzip: false });
  await assert.rejects(loadDataset('mnist', { path: dir }), { name: 'DatasetError', message: /must have one size/ });
});

test('damaged gzip data is a DatasetError naming the file', async (t) => {
  let file = '';
  const error = await failureAfter(t, async (files) => {
    file = files['train-images']!;
    const packed = gzipSync(idxPart(TRAIN).images);
    await writeFile(file, packed.subarray(0, packed.length / 2));
  }, true);
  assert.equal(error.name, 'DatasetError');
  assert.ok(error.message.includes(file), error.message);
  assert.match(error.message, /not valid gzip data/);
});

test('a missing file is a DatasetError naming the file that was expected', async (t) => {
  const error = await failureAfter(t, async (files) => rm(files['test-labels']!));
  assert.equal(error.name, 'DatasetError');
  assert.match(error.message, /test labels file is missing: expected .*t10k-labels-idx1-ubyte\.gz/);
});

test('a missing directory is a DatasetError; for fashion_mnist it says how to install the data', async (t) => {
  const dir = join(await tempDir(t), 'nowhere');
  await assert.rejects(loadDataset('mnist', { path: dir }), { name: 'DatasetError', message: /directory not found/ });
  await assert.rejects(loadDataset('fashion_mnist', { path: dir }), {
    name: 'DatasetError',
    message: /apt-get install dataset-fashion-mnist/,
  });
  await assert.rejects(probeDatasetSizes('mnist', { path: dir }), { name: 'DatasetError' });
});

test('mnist requires a path', async () => {
  await assert.rejects(loadDataset('mnist', {}), { name: 'DatasetError', message: /missing required parameter `path`/ });
});

test('probeDatasetSizes rejects header counts that disagree and raw files whose length contradicts the header', async (t) => {
  const dir = await tempDir(t);
  const files = await writeMnist(dir, idxPart(TRAIN), idxPart(TEST), { gzip: false });
  await writeFile(files['test-labels']!, idxPart(TEST + 1).labels);
  await assert.rejects(probeDatasetSizes('mnist', { path: dir }), { name: 'DatasetError', message: /5 images but .* 6 labels/ });
  await writeFile(files['test-labels']!, idxPart(TEST).labels.subarray(0, 10));
  await assert.rejects(probeDatasetSizes('mnist', { path: dir }), { name: 'DatasetError', message: /holds 10 bytes but its header/ });
});
