// The data cache: one load per dataset and thread, paths relative to the program, the teacher network.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DataCache } from '../../stdlib/stage-support/data-cache.ts';
import { initialize } from '../../stdlib/inits/index.ts';
import { modelLayout } from '../../stdlib/models/layout.ts';
import { blobs, mlp, useCpuBackend } from '../training/helpers.ts';

before(useCpuBackend);

const repo = join(import.meta.dirname, '..', '..');

test('a dataset is loaded once, also by concurrent requests', async () => {
  const cache = new DataCache();
  const [a, b] = await Promise.all([cache.load(blobs, '/x'), cache.load(blobs, '/y')]);
  assert.equal(a, b);
  assert.equal(await cache.load({ ...blobs, params: { ...blobs.params } }, '/z'), a);
  assert.equal(cache.size, 1);
  const other = await cache.load({ ...blobs, params: { ...blobs.params, seed: 2 } }, '/x');
  assert.notEqual(other, a);
  assert.equal(cache.size, 2);
});

test('relative paths resolve against the program directory', async () => {
  const cache = new DataCache();
  const text = { op: 'text', version: 1, params: { path: '../data/gpl-3.txt', context: 16, test: 0.1 } };
  const loaded = await cache.load(text, join(repo, 'examples'));
  assert.equal(loaded.task, 'language-model');
  assert.deepEqual(loaded.inputShape, [16]);
  await assert.rejects(cache.load(text, join(repo, 'examples', 'nowhere', 'deeper')));
  assert.equal(cache.size, 1, 'a failed load is not remembered');
});

test('teacher targets are the outputs of the model with kaiming-normal weights of the seed', async () => {
  // A linear teacher (no hidden layer, zero bias): y = x W.
  const model = mlp(3, [], 2);
  const cache = new DataCache();
  const data = await cache.load({ op: 'teacher', version: 1, params: { model, n: 10, seed: 5, test: 0.2 } }, '/');
  assert.equal(data.task, 'regression');
  assert.deepEqual(data.inputShape, [3]);
  assert.equal(data.classes, 2);
  const w = initialize(modelLayout(model.op, model.params), 'kaiming_normal', { seed: 5 }).get('output.weight')!;
  const x = data.train.x;
  for (let j = 0; j < 2; j++) {
    const expected = x[0]! * w[j]! + x[1]! * w[2 + j]! + x[2]! * w[4 + j]!;
    assert.ok(Math.abs(data.train.y[j]! - expected) < 1e-5);
  }
});
