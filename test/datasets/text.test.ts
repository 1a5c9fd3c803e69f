import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { datasetSizes, loadDataset, probeDatasetSizes } from '../../stdlib/datasets/index.ts';
import type { LoadedDataset, Split } from '../../stdlib/datasets/index.ts';
import { tempDir } from './fixtures.ts';

async function textFile(t: Parameters<typeof tempDir>[0], contents: string | Uint8Array, name = 'corpus.txt'): Promise<string> {
  const file = join(await tempDir(t), name);
  await writeFile(file, contents);
  return file;
}

/** Window w of a split as text: its inputs and its targets. */
function window(data: LoadedDataset, split: Split, w: number): { x: string; y: string } {
  const context = data.inputShape[0]!;
  const decode = (tokens: Int32Array | Float32Array) => Array.from(tokens, (token) => data.vocabulary![token]).join('');
  return {
    x: decode(split.x.subarray(w * context, (w + 1) * context)),
    y: decode(split.y.subarray(w * context, (w + 1) * context)),
  };
}

// 20 characters; with test: 30% the last 6 ("stuvws") are the test text.
const CORPUS = 'abcabcabdabcab' + 'stuvws';

test('text: the vocabulary is the sorted distinct characters, and the task a language model over them', async (t) => {
  const data = await loadDataset('text', { path: await textFile(t, CORPUS), context: 1, test: 0.3 });
  assert.equal(data.task, 'language-model');
  assert.deepEqual(data.vocabulary, ['a', 'b', 'c', 'd', 's', 't', 'u', 'v', 'w']);
  assert.equal(data.classes, 9);
  assert.deepEqual(data.inputShape, [1]);
  assert.ok(data.train.x instanceof Int32Array && data.train.y instanceof Int32Array);
});

test('text windows step by `context`: targets are the inputs shifted by one, every transition used once', async (t) => {
  const data = await loadDataset('text', { path: await textFile(t, CORPUS), context: 4, test: 0.3 });
  // Training text: the first 14 characters, floor((14 - 1) / 4) = 3 windows; its last character
  // cannot complete a fourth window and nothing reaches into the test text.
  assert.equal(data.train.n, 3);
  assert.deepEqual(
    [0, 1, 2].map((w) => window(data, data.train, w)),
    [
      { x: 'abca', y: 'bcab' },
      { x: 'bcab', y: 'cabd' },
      { x: 'dabc', y: 'abca' },
    ],
  );
  assert.equal(data.test.n, 1);
  assert.deepEqual(window(data, data.test, 0), { x: 'stuv', y: 'tuvw' });
});

test('text: the test split is the last `test` share of the text, windowed on its own (no leakage)', async (t) => {
  const corpus = 'the train part of the text is here|TEST PART TEXT';
  const data = await loadDataset('text', { path: await textFile(t, corpus), context: 3, test: 0.3 });
  const testText = corpus.slice(corpus.length - Math.round(corpus.length * 0.3));
  const windows = Array.from({ length: data.test.n }, (_, w) => window(data, data.test, w));
  assert.equal(data.test.n, Math.floor((testText.length - 1) / 3));
  assert.deepEqual(windows[0], { x: testText.slice(0, 3), y: testText.slice(1, 4) });
  for (const { x, y } of windows) assert.ok(testText.includes(x) && testText.includes(y), `${x} → ${y}`);
  const trainChars = new Set(Array.from({ length: data.train.n }, (_, w) => window(data, data.train, w).y).join(''));
  assert.ok(![...'TESPAX|'].some((c) => trainChars.has(c)), 'no training target comes from the test text');
});

test('text sizes: unknown without the file, probed from it, equal to what loads', async (t) => {
  const file = await textFile(t, 'x'.repeat(1000));
  assert.equal(datasetSizes('text', { path: file, context: 16 }), undefined);
  const probed = await probeDatasetSizes('text', { path: file, context: 16 });
  const data = await loadDataset('text', { path: file, context: 16 });
  assert.deepEqual(probed, { train: data.train.n, test: data.test.n, classes: data.classes });
  assert.deepEqual(probed, { train: Math.floor(899 / 16), test: Math.floor(99 / 16), classes: 1 });
});

test('text tokens are code points: characters outside the BMP are one token each', async (t) => {
  const corpus = 'a😀b😀a😀b😀a😀b😀a😀b😀a😀b😀a😀b😀a😀b😀a😀b😀a😀b😀a😀b😀';
  const data = await loadDataset('text', { path: await textFile(t, corpus), context: 2, test: 0.2 });
  assert.deepEqual(data.vocabulary, ['a', 'b', '😀']);
  assert.deepEqual(window(data, data.train, 0), { x: 'a😀', y: '😀b' });
});

test('a gzipped text file is read the same as the plain one', async (t) => {
  const plain = await loadDataset('text', { path: await textFile(t, CORPUS), context: 4, test: 0.3 });
  const packed = await loadDataset('text', { path: await textFile(t, gzipSync(CORPUS), 'corpus.txt.gz'), context: 4, test: 0.3 });
  assert.deepEqual(packed, plain);
});

test('an empty file, a too-short file, invalid UTF-8 and a missing file are DatasetErrors naming the file', async (t) => {
  const empty = await textFile(t, '');
  await assert.rejects(loadDataset('text', { path: empty, context: 4 }), { name: 'DatasetError', message: new RegExp(`${empty} is empty`) });

  const short = await textFile(t, 'abcdefghij');
  await assert.rejects(loadDataset('text', { path: short, context: 4 }), {
    name: 'DatasetError',
    message: new RegExp(`${short} is too short: its 10 characters split into 9 for training and 1 for testing .* at least 5`),
  });
  await assert.rejects(probeDatasetSizes('text', { path: short, context: 4 }), { name: 'DatasetError' });

  const binary = await textFile(t, Uint8Array.from([0x61, 0xff, 0xfe, 0x62]));
  await assert.rejects(loadDataset('text', { path: binary, context: 1 }), {
    name: 'DatasetError',
    message: new RegExp(`${binary} is not valid UTF-8`),
  });

  const missing = join(await tempDir(t), 'absent.txt');
  await assert.rejects(loadDataset('text', { path: missing, context: 1 }), {
    name: 'DatasetError',
    message: new RegExp(`text file not found: ${missing}`),
  });
});

test('text: probing the sizes also counts the vocabulary, for the compiler to check models against', async (t) => {
  const sizes = await probeDatasetSizes('text', { path: await textFile(t, CORPUS), context: 1, test: 0.3 });
  assert.equal(sizes.classes, 9);
});
