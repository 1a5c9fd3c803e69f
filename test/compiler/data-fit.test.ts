// Checked before anything runs: a model put on data it does not fit is reported at the argument that
// names the data, with both sizes, by `ltx check` — not minutes into `ltx run`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compile } from '../../compiler/compile.ts';
import { standardLibrary } from '../../stdlib/library.ts';
import { compileOk, errors, memoryHost } from './helpers.ts';

const RECIPE = `optimizer opt = adam(lr: 0.001, batch: 32)\n`;
const onData = (model: string, data: string) =>
  `${data}\nmodel net = ${model}\ninit w = kaiming_normal(net, seed: 0)\n${RECIPE}train run = fit(w, data: d.train, optimizer: opt, steps: 10 steps)`;

test('image models on flat inputs of another size are reported at data:, with both shapes', () => {
  assert.deepEqual(errors(onData('lenet5()', 'dataset d = gaussian_mixture(classes: 10, dim: 64, n: 100)')), [{
    file: 'main.ltx', line: 5, column: 26,
    message: 'lenet5 expects 28x28x1 inputs, but gaussian_mixture has inputs of 64 (64 numbers, not the 784 of one image)',
  }]);
});

test('image models take images stored flat with the same number of values', () => {
  compileOk(onData('lenet5()', 'dataset d = gaussian_mixture(classes: 10, dim: 784, n: 100)'));
});

test('a transformer on image data is reported', () => {
  const [error] = errors(onData('transformer(vocab: 16, context: 8, width: 16, heads: 2, layers: 1)', 'dataset d = digits()'));
  assert.equal(error!.message, 'transformer reads token ids, but digits has inputs of 8x8x1 numbers');
});

test('a vocabulary smaller than the data\'s is reported', () => {
  const [error] = errors(onData('transformer(vocab: 10, context: 2, width: 16, heads: 2, layers: 1)', 'dataset d = modular_addition(p: 13)'));
  assert.equal(error!.message, 'transformer has a vocabulary of 10 tokens, but modular_addition has 13');
});

test('a text\'s vocabulary, read with its sizes, is checked', () => {
  const text = onData('transformer(vocab: 20, context: 8, width: 16, heads: 2, layers: 1)', 'dataset d = text("corpus.txt", context: 8)');
  const program = compile('main.ltx', {
    host: memoryHost({ 'main.ltx': text }), library: standardLibrary,
    datasetSizes: () => ({ train: 100, test: 10, classes: 40 }),
  });
  assert.deepEqual(program.diagnostics.map((d) => d.message), ['transformer has a vocabulary of 20 tokens, but text has 40']);
});

test('input sizes that disagree are reported at a probe\'s on:', () => {
  const text = `dataset d = digits()\nmodel big = mlp(input: 784, hidden: [8], classes: 10)\ninit w = kaiming_normal(big, seed: 0)\nprobe acc = accuracy(w, on: d.test)`;
  assert.deepEqual(errors(text), [{ file: 'main.ltx', line: 4, column: 29, message: 'mlp expects inputs of 784 numbers, but digits has inputs of 8x8x1 = 64' }]);
});

test('outputs that disagree with the classes are reported', () => {
  const [error] = errors(onData('mlp(input: 64, hidden: [8], classes: 2)', 'dataset d = digits()'));
  assert.equal(error!.message, 'mlp has 2 outputs, but digits has 10 classes');
});

test('a language-modelling dataset under a model that reads numbers is reported', () => {
  const text = onData('mlp(input: 8, hidden: [8], classes: 40)', 'dataset d = text("corpus.txt", context: 8)');
  const program = compile('main.ltx', { host: memoryHost({ 'main.ltx': text }), library: standardLibrary, datasetSizes: () => ({ train: 100, test: 10, classes: 40 }) });
  assert.match(program.diagnostics[0]!.message, /text is a language-modelling dataset, which only a model that reads tokens fits; mlp reads numbers/);
});

test('a transformer on modular_addition compiles: it answers at the last position', () => {
  compileOk(onData('transformer(vocab: 13, context: 2, width: 16, heads: 2, layers: 1)', 'dataset d = modular_addition(p: 13)'));
});

test('an mlp on modular_addition\'s tokens is reported at data:: token ids are not numbers to it', () => {
  assert.deepEqual(errors(onData('mlp(input: 2, hidden: [8], classes: 13)', 'dataset d = modular_addition(p: 13)')), [{
    file: 'main.ltx', line: 5, column: 26,
    message: 'mlp reads numbers, but modular_addition has inputs of 2 token ids (vocabulary 13): give it a model that reads tokens, or encode them as numbers (one-hot)',
  }]);
});

test('an mlp on modular_addition\'s one-hot pairs compiles: 2p inputs, p classes', () => {
  compileOk(onData('mlp(input: 26, hidden: [8], classes: 13)', 'dataset d = modular_addition(p: 13, encoding: "one_hot")'));
});

test('a transformer on modular_addition\'s one-hot pairs is reported at data:', () => {
  const model = 'transformer(vocab: 13, context: 2, width: 16, heads: 2, layers: 1)';
  assert.deepEqual(errors(onData(model, 'dataset d = modular_addition(p: 13, encoding: "one_hot")')), [{
    file: 'main.ltx', line: 5, column: 26,
    message: 'transformer reads token ids, but modular_addition has inputs of 26 numbers',
  }]);
});
