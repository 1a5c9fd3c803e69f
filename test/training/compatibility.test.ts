// Which models fit which datasets, and what the user is told when one does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LoadedDataset } from '../../stdlib/datasets/index.ts';
import { layoutOf } from '../models/helpers.ts';
import { incompatibility } from '../../stdlib/training/compatibility.ts';

function dataset(name: string, task: LoadedDataset['task'], inputShape: number[], classes: number): LoadedDataset {
  const empty = { x: new Float32Array(0), y: new Int32Array(0), n: 0 };
  return { name, task, inputShape, classes, train: empty, test: empty };
}

const digits = dataset('digits', 'classification', [8, 8, 1], 10);
const text = dataset('text', 'language-model', [32], 76);

test('an mlp reads any input with its number of values', () => {
  assert.equal(incompatibility(layoutOf('mlp', { input: 64, hidden: [32], classes: 10 }), digits), undefined);
  assert.equal(incompatibility(layoutOf('mlp', { input: 784, hidden: [32], classes: 10 }), digits), 'mlp expects inputs of 784 numbers, but digits has inputs of 8x8x1 = 64');
});

test('image models need the exact image shape', () => {
  assert.equal(incompatibility(layoutOf('lenet5', {}), digits), 'lenet5 expects 28x28x1 inputs, but digits has inputs of 8x8x1');
  assert.equal(incompatibility(layoutOf('conv', { input: [8, 8, 1], channels: [[4]], classes: 10 }), digits), undefined);
});

test('outputs must match the classes', () => {
  assert.equal(incompatibility(layoutOf('mlp', { input: 64, hidden: [], classes: 2 }), digits), 'mlp has 2 outputs, but digits has 10 classes');
});

test('the transformer fits language-modelling data only, with its context and at least its vocabulary', () => {
  const lm = (vocab: number, context = 32) => layoutOf('transformer', { vocab, context, width: 16, heads: 2, layers: 1 });
  assert.equal(incompatibility(lm(96), text), undefined);
  assert.equal(incompatibility(lm(50), text), 'transformer has a vocabulary of 50 tokens, but text has 76');
  assert.equal(incompatibility(lm(96, 16), text), 'transformer reads windows of 16 tokens (context), but text has windows of 32');
  assert.equal(incompatibility(lm(96), digits), 'transformer is a language model, but digits is a classification dataset');
  assert.equal(incompatibility(layoutOf('mlp', { input: 32, hidden: [], classes: 76 }), text), 'text is a language-modelling dataset, which only a transformer fits; mlp is not one');
});
