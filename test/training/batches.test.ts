// Minibatches gathered into buffers that every step of a training loop reuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Split } from '../../stdlib/datasets/index.ts';
import { BatchBuffers } from '../../stdlib/training/batches.ts';

/** Four examples of two int32 tokens each (as modular_addition's), labelled 10, 11, 12, 13. */
const tokens: Split = { x: Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), y: Int32Array.from([10, 11, 12, 13]), n: 4 };

test('a batch holds the rows asked for, in their order, as the dtype the model reads', () => {
  const batches = new BatchBuffers(tokens, 'float32', 3);
  const { x, y } = batches.gather([3, 0, 2]);
  assert.ok(x instanceof Float32Array);
  assert.deepEqual([...x], [6, 7, 0, 1, 4, 5]);
  assert.ok(y instanceof Int32Array);
  assert.deepEqual([...y], [13, 10, 12]);
});

test('the next batch overwrites the same arrays; a shorter one (an epoch\'s remainder) is a prefix of them', () => {
  const batches = new BatchBuffers(tokens, 'int32', 3);
  const first = batches.gather([0, 1, 2]);
  const last = batches.gather([3]);
  assert.equal(last.x.buffer, first.x.buffer);
  assert.equal(last.y.buffer, first.y.buffer);
  assert.deepEqual([...last.x], [6, 7]);
  assert.deepEqual([...last.y], [13]);
});

test('a batch larger than the buffers is refused', () => {
  const batches = new BatchBuffers(tokens, 'int32', 2);
  assert.throws(() => batches.gather([0, 1, 2]), /a batch of 3 rows does not fit buffers made for 2/);
});
