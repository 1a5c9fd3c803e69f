import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffPreimages } from '../../runtime/store/index.ts';

test('equal preimages have no differences', () => {
  const preimage = { op: 'train', version: 2, params: { lr: 0.1, schedule: [1, 2] }, inputs: ['ab'] };
  assert.deepEqual(diffPreimages(preimage, structuredClone(preimage)), []);
});

test('a changed parameter is reported by its dotted path with old and new values', () => {
  const before = { op: 'train', version: 1, params: { lr: 0.1, momentum: 0.9 }, inputs: [] };
  const after = { op: 'train', version: 1, params: { lr: 0.05, momentum: 0.9 }, inputs: [] };
  assert.deepEqual(diffPreimages(before, after), [{ path: 'params.lr', change: 'changed', old: 0.1, new: 0.05 }]);
});

test('added and removed fields, array elements and odd keys each get a path', () => {
  const before = { op: 'prune', version: 1, params: { 'per layer': true, rate: 0.2 }, inputs: ['a', 'b'] };
  const after = { op: 'prune', version: 2, params: { 'per layer': false, seed: 7 }, inputs: ['a'] };
  assert.deepEqual(diffPreimages(before, after), [
    { path: 'inputs[1]', change: 'removed', old: 'b' },
    { path: 'params["per layer"]', change: 'changed', old: true, new: false },
    { path: 'params.rate', change: 'removed', old: 0.2 },
    { path: 'params.seed', change: 'added', new: 7 },
    { path: 'version', change: 'changed', old: 1, new: 2 },
  ]);
});

test('a value that changes type is reported whole at its path', () => {
  assert.deepEqual(diffPreimages({ op: 'x', params: { size: [3, 3] } }, { op: 'x', params: { size: 3 } }), [
    { path: 'params.size', change: 'changed', old: [3, 3], new: 3 },
  ]);
});
