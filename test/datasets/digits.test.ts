import assert from 'node:assert/strict';
import { test } from 'node:test';
import { datasetSizes, loadDataset, probeDatasetSizes } from '../../stdlib/datasets/index.ts';
import type { LoadedDataset, Split } from '../../stdlib/datasets/index.ts';

// Images per digit 0..9 in the UCI test set that scikit-learn ships.
const CLASS_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180];

function classCounts(split: Split): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const label of split.y) counts[label]! += 1;
  return counts;
}

/** Each example as a string of its pixels and label, to compare splits as sets. */
function rows(split: Split): string[] {
  return Array.from({ length: split.n }, (_, i) => `${split.x.subarray(i * 64, i * 64 + 64).join(',')}|${split.y[i]}`);
}

test('digits loads all 1797 bundled images as 8x8x1 floats in [0, 1] with labels 0..9', async () => {
  const data = await loadDataset('digits', {});
  assert.equal(data.name, 'digits');
  assert.equal(data.task, 'classification');
  assert.deepEqual(data.inputShape, [8, 8, 1]);
  assert.equal(data.classes, 10);
  assert.equal(data.train.n + data.test.n, 1797);
  for (const split of [data.train, data.test]) {
    assert.ok(split.x instanceof Float32Array);
    assert.ok(split.y instanceof Int32Array);
    assert.equal(split.x.length, split.n * 64);
    assert.equal(split.y.length, split.n);
    assert.ok(split.x.every((v) => v >= 0 && v <= 1 && Number.isInteger(v * 16)));
    assert.ok(split.y.every((label) => label >= 0 && label <= 9));
  }
  const total = classCounts(data.train).map((count, k) => count + classCounts(data.test)[k]!);
  assert.deepEqual(total, CLASS_COUNTS);
});

test('digits split sizes are test = round(1797 × test) and agree with datasetSizes and probeDatasetSizes', async () => {
  for (const share of [0.2, 0.1, 0.5, 0.33]) {
    const data = await loadDataset('digits', { test: share, seed: 0 });
    const expected = { train: 1797 - Math.round(1797 * share), test: Math.round(1797 * share) };
    assert.deepEqual({ train: data.train.n, test: data.test.n }, expected);
    assert.deepEqual(datasetSizes('digits', { test: share }), expected);
    assert.deepEqual(await probeDatasetSizes('digits', { test: share }), expected);
  }
  assert.deepEqual(datasetSizes('digits', {}), { train: 1438, test: 359 });
});

test('digits split is stratified: every digit has its proportional share in the test split', async () => {
  const data = await loadDataset('digits', { test: 0.2, seed: 4 });
  classCounts(data.test).forEach((count, k) => {
    assert.ok(Math.abs(count - CLASS_COUNTS[k]! * 0.2) < 1, `digit ${k}: ${count} test images`);
  });
});

test('digits: the same seed gives the same split, another seed another split, and the splits partition the data', async () => {
  const [a, b, c] = await Promise.all([
    loadDataset('digits', { seed: 1 }),
    loadDataset('digits', { seed: 1 }),
    loadDataset('digits', { seed: 2 }),
  ]) as [LoadedDataset, LoadedDataset, LoadedDataset];
  assert.deepEqual(a.test.x, b.test.x);
  assert.deepEqual(a.test.y, b.test.y);
  assert.notDeepEqual(a.test.x, c.test.x);

  const all = new Set([...rows(a.train), ...rows(a.test)]);
  assert.equal(all.size, 1797, 'the bundled file has no duplicate rows, so the splits hold 1797 distinct images');
  const testRows = new Set(rows(a.test));
  assert.ok(rows(a.train).every((row) => !testRows.has(row)), 'no image is in both splits');
  assert.deepEqual(new Set([...rows(c.train), ...rows(c.test)]), all);
});

test('digits rejects a test share outside (0, 1) with a DatasetError', async () => {
  await assert.rejects(loadDataset('digits', { test: 1.5 }), { name: 'DatasetError', message: /`test`.*fraction/ });
  assert.throws(() => datasetSizes('digits', { test: 0 }), { name: 'DatasetError' });
  // 0.0001 of 1797 rounds to no test example at all.
  assert.throws(() => datasetSizes('digits', { test: 0.0001 }), { name: 'DatasetError', message: /0 for testing/ });
});
