import assert from 'node:assert/strict';
import { test } from 'node:test';
import { datasetSizes, loadDataset, probeDatasetSizes } from '../../stdlib/datasets/index.ts';
import type { LoadedDataset, Split, TeacherForward } from '../../stdlib/datasets/index.ts';
import { mixtureMeans } from '../../stdlib/datasets/gaussian-mixture.ts';
import { paritySubset } from '../../stdlib/datasets/sparse-parity.ts';
import { TEACHER_CHUNK } from '../../stdlib/datasets/teacher.ts';

function sizesOf(data: LoadedDataset): { train: number; test: number } {
  return { train: data.train.n, test: data.test.n };
}

// ---------------------------------------------------------------------------------------------
// gaussian_mixture

const MIXTURE = { classes: 3, dim: 5, n: 300, seed: 7 };

test('gaussian_mixture: float vectors of `dim`, balanced classes, test = round(n × test) stratified', async () => {
  const data = await loadDataset('gaussian_mixture', MIXTURE);
  assert.deepEqual(data.inputShape, [5]);
  assert.equal(data.classes, 3);
  assert.deepEqual(sizesOf(data), { train: 240, test: 60 });
  assert.deepEqual(datasetSizes('gaussian_mixture', MIXTURE), { train: 240, test: 60 });
  assert.deepEqual(await probeDatasetSizes('gaussian_mixture', MIXTURE), { train: 240, test: 60 });
  assert.equal(data.train.x.length, 240 * 5);
  const count = (split: Split, k: number) => split.y.filter((label) => label === k).length;
  for (let k = 0; k < 3; k++) {
    assert.equal(count(data.train, k), 80);
    assert.equal(count(data.test, k), 20);
  }
});

test('gaussian_mixture: each sample lies near its own class mean (nearest-mean classifies almost all)', async () => {
  const params = { ...MIXTURE, dim: 20, separation: 8 };
  const data = await loadDataset('gaussian_mixture', params);
  const means = mixtureMeans(3, 20, 8, 7);
  const distance = (split: Split, i: number, k: number) => {
    let sum = 0;
    for (let d = 0; d < 20; d++) sum += (split.x[i * 20 + d]! - means[k * 20 + d]!) ** 2;
    return sum;
  };
  let correct = 0;
  for (let i = 0; i < data.train.n; i++) {
    const nearest = [0, 1, 2].reduce((best, k) => (distance(data.train, i, k) < distance(data.train, i, best) ? k : best), 0);
    if (nearest === data.train.y[i]) correct++;
  }
  assert.ok(correct / data.train.n > 0.95, `${correct} of ${data.train.n}`);
});

test('gaussian_mixture is a function of its seed', async () => {
  const [a, b, c] = await Promise.all([
    loadDataset('gaussian_mixture', MIXTURE),
    loadDataset('gaussian_mixture', MIXTURE),
    loadDataset('gaussian_mixture', { ...MIXTURE, seed: 8 }),
  ]);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a!.train.x, c!.train.x);
});

// ---------------------------------------------------------------------------------------------
// modular_addition

test('modular_addition: every pair (a, b) once, labelled (a + b) mod p, as int32 tokens', async () => {
  const p = 13;
  const data = await loadDataset('modular_addition', { p, train: 0.3, seed: 1 });
  assert.deepEqual(data.inputShape, [2]);
  assert.equal(data.classes, p);
  assert.ok(data.train.x instanceof Int32Array);
  assert.deepEqual(sizesOf(data), { train: Math.round(169 * 0.3), test: 169 - Math.round(169 * 0.3) });
  assert.deepEqual(datasetSizes('modular_addition', { p, train: 0.3 }), sizesOf(data));
  const seen = new Set<number>();
  for (const split of [data.train, data.test]) {
    for (let i = 0; i < split.n; i++) {
      const a = split.x[2 * i]!;
      const b = split.x[2 * i + 1]!;
      assert.equal(split.y[i], (a + b) % p);
      seen.add(a * p + b);
    }
  }
  assert.equal(seen.size, 169);
});

test('modular_addition: the seed chooses which pairs train', async () => {
  const pairs = (data: LoadedDataset) => Array.from(data.train.x).join(',');
  const [a, b, c] = await Promise.all([
    loadDataset('modular_addition', { p: 11, seed: 3 }),
    loadDataset('modular_addition', { p: 11, seed: 3 }),
    loadDataset('modular_addition', { p: 11, seed: 4 }),
  ]);
  assert.equal(pairs(a!), pairs(b!));
  assert.notEqual(pairs(a!), pairs(c!));
  assert.equal(a!.train.n, Math.round(121 * 0.3), 'train defaults to 30% of the pairs');
});

test('modular_addition: encoding "one_hot" gives each pair as the one-hot codes of a and b, 2p floats', async () => {
  const p = 7;
  const data = await loadDataset('modular_addition', { p, train: 0.5, seed: 2, encoding: 'one_hot' });
  assert.deepEqual(data.inputShape, [2 * p]);
  assert.equal(data.classes, p);
  assert.equal(data.tokens, undefined, 'the inputs are numbers, not token ids');
  assert.ok(data.train.x instanceof Float32Array);
  for (const split of [data.train, data.test]) {
    for (let i = 0; i < split.n; i++) {
      const row = Array.from(split.x.subarray(i * 2 * p, (i + 1) * 2 * p));
      assert.deepEqual(row.filter((v) => v !== 0), [1, 1]);
      const a = row.indexOf(1);
      const b = row.lastIndexOf(1) - p;
      assert.ok(a < p && b >= 0);
      assert.equal(split.y[i], (a + b) % p);
    }
  }
});

test('modular_addition: one-hot and token encodings split the same pairs, in the same order', async () => {
  const params = { p: 11, train: 0.4, seed: 5 };
  const tokens = await loadDataset('modular_addition', params);
  const oneHot = await loadDataset('modular_addition', { ...params, encoding: 'one_hot' });
  const decoded = (x: Split['x'], n: number) => Array.from({ length: n }, (_, i) => {
    const row = Array.from(x.subarray(i * 22, (i + 1) * 22));
    return `${row.indexOf(1)},${row.lastIndexOf(1) - 11}`;
  });
  const pairs = (x: Split['x'], n: number) => Array.from({ length: n }, (_, i) => `${x[2 * i]},${x[2 * i + 1]}`);
  assert.deepEqual(decoded(oneHot.train.x, oneHot.train.n), pairs(tokens.train.x, tokens.train.n));
  assert.deepEqual(decoded(oneHot.test.x, oneHot.test.n), pairs(tokens.test.x, tokens.test.n));
  assert.deepEqual(Array.from(oneHot.train.y), Array.from(tokens.train.y));
});

test('modular_addition: an unknown encoding is refused, naming the choices', async () => {
  await assert.rejects(loadDataset('modular_addition', { p: 5, encoding: 'binary' }), {
    message: 'modular_addition: parameter `encoding` must be one of "tokens", "one_hot", got "binary"',
  });
});

// ---------------------------------------------------------------------------------------------
// sparse_parity

test('sparse_parity: ±1 inputs, label = parity of the hidden k bits, recomputed for every example', async () => {
  const params = { bits: 12, k: 3, n: 500, seed: 5 };
  const data = await loadDataset('sparse_parity', params);
  assert.deepEqual(data.inputShape, [12]);
  assert.equal(data.classes, 2);
  assert.deepEqual(sizesOf(data), { train: 400, test: 100 });
  assert.deepEqual(datasetSizes('sparse_parity', params), { train: 400, test: 100 });
  const subset = paritySubset(12, 3, 5);
  assert.equal(new Set(subset).size, 3);
  let ones = 0;
  for (const split of [data.train, data.test]) {
    assert.ok(split.x.every((v) => v === 1 || v === -1));
    for (let i = 0; i < split.n; i++) {
      const product = subset.reduce((acc, j) => acc * split.x[i * 12 + j]!, 1);
      assert.equal(split.y[i], product < 0 ? 1 : 0);
      ones += split.y[i]!;
    }
  }
  assert.ok(ones > 200 && ones < 300, `labels are near balanced: ${ones} of 500 are 1`);
});

test('sparse_parity is a function of its seed, and the hidden bits are too', async () => {
  const params = { bits: 30, k: 4, n: 50, seed: 1 };
  assert.deepEqual(await loadDataset('sparse_parity', params), await loadDataset('sparse_parity', params));
  assert.notDeepEqual((await loadDataset('sparse_parity', { ...params, seed: 2 })).train.x, (await loadDataset('sparse_parity', params)).train.x);
  assert.notDeepEqual(paritySubset(30, 4, 1), paritySubset(30, 4, 2));
});

test('sparse_parity rejects k > bits', async () => {
  await assert.rejects(loadDataset('sparse_parity', { bits: 3, k: 4, n: 10 }), { name: 'DatasetError', message: /k \(4\) cannot exceed bits \(3\)/ });
});

// ---------------------------------------------------------------------------------------------
// teacher

/** A linear teacher y = [sum(x), x0 - x1], which the test can recompute. */
const linearTeacher: TeacherForward = async (x, n) => {
  const features = x.length / n;
  const y = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let f = 0; f < features; f++) sum += x[i * features + f]!;
    y[2 * i] = sum;
    y[2 * i + 1] = x[i * features]! - x[i * features + 1]!;
  }
  return y;
};

test('teacher: seeded N(0, 1) inputs of the model input shape, targets from the teacher network', async () => {
  const params = { n: 50, seed: 2, inputShape: [2, 3], outputs: 2, test: 0.2 };
  const data = await loadDataset('teacher', params, { teacherForward: linearTeacher });
  assert.equal(data.task, 'regression');
  assert.deepEqual(data.inputShape, [2, 3]);
  assert.equal(data.classes, 2);
  assert.deepEqual(sizesOf(data), { train: 40, test: 10 });
  assert.deepEqual(datasetSizes('teacher', params), { train: 40, test: 10 });
  for (const split of [data.train, data.test]) {
    assert.ok(split.y instanceof Float32Array);
    assert.deepEqual(split.y, await linearTeacher(split.x as Float32Array, split.n));
  }
  const again = await loadDataset('teacher', params, { teacherForward: linearTeacher });
  assert.deepEqual(again, data);
  const otherSeed = await loadDataset('teacher', { ...params, seed: 3 }, { teacherForward: linearTeacher });
  assert.notDeepEqual(otherSeed.train.x, data.train.x);
});

test('teacher calls the network in chunks, so n may exceed what one forward pass should hold', async () => {
  const calls: number[] = [];
  const counting: TeacherForward = async (x, n) => {
    calls.push(n);
    return linearTeacher(x, n);
  };
  const n = TEACHER_CHUNK + 10;
  const data = await loadDataset('teacher', { n, seed: 0, inputShape: [2], outputs: 2 }, { teacherForward: counting });
  assert.deepEqual(calls, [TEACHER_CHUNK, 10]);
  assert.equal(data.train.n + data.test.n, n);
  assert.deepEqual(data.test.y, await linearTeacher(data.test.x as Float32Array, data.test.n));
});

test('teacher without a network, or with one that answers the wrong size, is a DatasetError', async () => {
  const params = { n: 10, seed: 0, inputShape: [4], outputs: 3 };
  await assert.rejects(loadDataset('teacher', params), { name: 'DatasetError', message: /no teacher network supplied/ });
  await assert.rejects(loadDataset('teacher', params, { teacherForward: linearTeacher }), {
    name: 'DatasetError',
    message: /returned 20 values for 10 examples, expected 10 × 3/,
  });
});
