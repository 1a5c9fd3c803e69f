// The registry maps every stage op the compiler emits for training, pruning and the basic probes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { implementationFor, implementedOps, registerImplementation, StageFailure } from '../../runtime/ops/registry.ts';
import { context, stage } from '../training/helpers.ts';

test('every basic op has an implementation', () => {
  for (const op of ['init', 'train', 'magnitude', 'random_mask', 'rewind', 'reinit', 'accuracy', 'loss', 'sparsity']) {
    assert.equal(typeof implementationFor(stage(op, {})), 'function', op);
  }
});

test('an op without implementation is a StageFailure naming it', () => {
  assert.throws(() => implementationFor(stage('tea_leaves', {})), (e) => e instanceof StageFailure && /no implementation of 'tea_leaves'/.test(e.cause));
});

test('other modules can register implementations', async () => {
  registerImplementation('constant_probe', async () => ({ kind: 'probe', metrics: { answer: 42 } }));
  assert.ok(implementedOps().includes('constant_probe'));
  const s = stage('constant_probe', {});
  assert.deepEqual(await implementationFor(s)(s, {}, context()), { kind: 'probe', metrics: { answer: 42 } });
});
