// The batches each step sees: a function of (order seed, step) alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataOrder, epochPermutation, stepsPerEpoch } from '../../stdlib/training/data-order.ts';

test('an epoch is ceil(N / batch) steps whose batches cover every example once, the last one the remainder', () => {
  const order = new DataOrder(7, 10, 4);
  assert.equal(order.stepsPerEpoch, stepsPerEpoch(10, 4));
  assert.equal(order.stepsPerEpoch, 3);
  const sizes = [0, 1, 2].map((s) => order.batchAt(s).length);
  assert.deepEqual(sizes, [4, 4, 2]);
  const seen = [0, 1, 2].flatMap((s) => [...order.batchAt(s)]);
  assert.deepEqual([...seen].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(seen, [...epochPermutation(7, 0, 10)]);
});

test('each epoch has its own permutation, drawn from the order seed', () => {
  const order = new DataOrder(7, 10, 4);
  const epoch0 = [0, 1, 2].flatMap((s) => [...order.batchAt(s)]);
  const epoch1 = [3, 4, 5].flatMap((s) => [...order.batchAt(s)]);
  assert.notDeepEqual(epoch0, epoch1);
  assert.deepEqual(epoch1, [...epochPermutation(7, 1, 10)]);
  assert.notDeepEqual([...epochPermutation(8, 0, 10)], epoch0);
});

test('a step sees the same batch whatever steps were asked before', () => {
  const fresh = new DataOrder(3, 50, 8);
  const walked = new DataOrder(3, 50, 8);
  for (let s = 0; s < 40; s++) walked.batchAt(s);
  assert.deepEqual([...fresh.batchAt(40)], [...walked.batchAt(40)]);
  assert.deepEqual([...new DataOrder(3, 50, 8).batchAt(13)], [...walked.batchAt(13)]);
});
