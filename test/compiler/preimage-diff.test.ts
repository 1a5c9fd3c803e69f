// Why a stage reruns: field-by-field differences of two preimages, by dotted path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Preimage } from '../../core/stage.ts';
import { diffPreimages } from '../../compiler/preimage-diff.ts';

const base: Preimage = { op: 'train', version: 1, params: { optimizer: { lr: 0.1, momentum: 0.9 }, steps: 500 }, inputs: { start: 'aa' } };

test('equal preimages have no differences', () => {
  assert.deepEqual(diffPreimages(base, structuredClone(base)), []);
});

test('a changed nested parameter is reported by its dotted path with old and new values', () => {
  const after = structuredClone(base);
  after.params.optimizer = { lr: 0.05, momentum: 0.9 };
  assert.deepEqual(diffPreimages(base, after), [{ path: 'params.optimizer.lr', old: 0.1, new: 0.05 }]);
});

test('added and removed parameters, a new version and a changed input each get a path', () => {
  const after: Preimage = { op: 'train', version: 2, params: { optimizer: { lr: 0.1, momentum: 0.9 }, order: 3 }, inputs: { start: 'bb' } };
  assert.deepEqual(diffPreimages(base, after), [
    { path: 'inputs.start', old: 'aa', new: 'bb' },
    { path: 'params.order', old: undefined, new: 3 },
    { path: 'params.steps', old: 500, new: undefined },
    { path: 'version', old: 1, new: 2 },
  ]);
});

test('lists are compared whole', () => {
  const a: Preimage = { op: 'magnitude', version: 1, params: { skip: ['output'] }, inputs: {} };
  const b: Preimage = { op: 'magnitude', version: 1, params: { skip: ['output', 'layer1'] }, inputs: {} };
  assert.deepEqual(diffPreimages(a, b), [{ path: 'params.skip', old: ['output'], new: ['output', 'layer1'] }]);
});
