// The real Fashion-MNIST from Debian's `dataset-fashion-mnist` package (CI installs it).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { datasetSizes, loadDataset, probeDatasetSizes } from '../../stdlib/datasets/index.ts';

const DEFAULT_PATH = '/usr/share/datasets/fashion-mnist';

test('fashion_mnist() loads the installed dataset: 60000/10000 images of 28x28, 6000/1000 per class', async (t) => {
  if (!existsSync(DEFAULT_PATH)) {
    t.skip(`${DEFAULT_PATH} is absent: install it with apt-get install dataset-fashion-mnist`);
    return;
  }
  assert.deepEqual(await probeDatasetSizes('fashion_mnist', {}), { train: 60000, test: 10000 });
  const data = await loadDataset('fashion_mnist', {});
  assert.deepEqual({ train: data.train.n, test: data.test.n }, datasetSizes('fashion_mnist', {}));
  assert.deepEqual(data.inputShape, [28, 28, 1]);
  assert.equal(data.train.x.length, 60000 * 784);
  const perClass = (y: ArrayLike<number>) => {
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < y.length; i++) counts[y[i]!]! += 1;
    return counts;
  };
  assert.deepEqual(perClass(data.train.y), new Array(10).fill(6000));
  assert.deepEqual(perClass(data.test.y), new Array(10).fill(1000));
  // The first training image is an ankle boot (class 9) in every copy of the dataset.
  assert.equal(data.train.y[0], 9);
  let max = 0;
  for (const v of data.test.x) max = Math.max(max, v);
  assert.equal(max, 1);
});
