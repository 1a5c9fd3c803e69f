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

test('the transformer fits token data, with at most its context and at least its vocabulary', () => {
  const lm = (vocab: number, context = 32) => layoutOf('transformer', { vocab, context, width: 16, heads: 2, layers: 1 });
  assert.equal(incompatibility(lm(96), text), undefined);
  assert.equal(incompatibility(lm(96, 64), text), undefined);
  assert.equal(incompatibility(lm(50), text), 'transformer has a vocabulary of 50 tokens, but text has 76');
  assert.equal(incompatibility(lm(96, 16), text), 'transformer reads at most 16 tokens (context), but text has sequences of 32');
  assert.equal(incompatibility(lm(96), digits), 'transformer reads token ids, but digits has inputs of 8x8x1 numbers');
  assert.equal(incompatibility(layoutOf('mlp', { input: 32, hidden: [], classes: 76 }), text), 'text is a language-modelling dataset, which only a model that reads tokens fits; mlp reads numbers');
});

test('image models take images stored flat with as many values', () => {
  const flat = dataset('flat', 'classification', [784], 10);
  assert.equal(incompatibility(layoutOf('lenet5', {}), flat), undefined);
  assert.equal(incompatibility(layoutOf('lenet5', {}), dataset('flat', 'classification', [64], 10)), 'lenet5 expects 28x28x1 inputs, but flat has inputs of 64 (64 numbers, not the 784 of one image)');
});

test('a transformer classifies token sequences (modular addition) at their last position', () => {
  const pairs = { ...dataset('modular_addition', 'classification', [2], 13), tokens: 13 };
  const model = (vocab: number) => layoutOf('transformer', { vocab, context: 2, width: 16, heads: 2, layers: 1 });
  assert.equal(incompatibility(model(13), pairs), undefined);
  assert.equal(incompatibility(model(10), pairs), 'transformer has a vocabulary of 10 tokens, but modular_addition has 13');
});

test('an mlp does not take token ids for numbers (modular addition as tokens)', () => {
  const pairs = { ...dataset('modular_addition', 'classification', [2], 13), tokens: 13 };
  assert.equal(
    incompatibility(layoutOf('mlp', { input: 2, hidden: [8], classes: 13 }), pairs),
    'mlp reads numbers, but modular_addition has inputs of 2 token ids (vocabulary 13): give it a model that reads tokens, or encode them as numbers (one-hot)',
  );
});
