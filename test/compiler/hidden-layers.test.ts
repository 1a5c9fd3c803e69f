// The hidden layers a representation probe (cka, unit_roles) compares, checked at compile time against
// the models of its two networks: the names of `layer:`, a model that exposes none, and two models that
// do not share the layers compared.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileOk, compileText, PRELUDE } from './helpers.ts';

const LINE = PRELUDE.split('\n').length; // the first line after the prelude

function diagnosticsOf(text: string): { code: string; line: number; column: number; message: string }[] {
  return compileText(PRELUDE + text).diagnostics.map((d) => ({ code: d.code, line: d.range.start.line, column: d.range.start.column, message: d.message }));
}

test('an unknown name is reported at the name, with a suggestion and the model\'s hidden layers', () => {
  assert.deepEqual(diagnosticsOf('probe p = cka(dense, theta0, on: d.test, layer: ["layr1"])'), [{
    code: 'unknown-hidden-layer', line: LINE, column: 50,
    message: "the mlp of 'dense' has no hidden layer 'layr1'; did you mean 'layer1'? (its hidden layers: layer1)",
  }]);
});

test('every unknown name of the list is reported at its own position, once for both networks', () => {
  const found = diagnosticsOf('probe p = unit_roles(dense, theta0, on: d.test, layer: ["output", "layer1", "block1.mlp"])');
  assert.deepEqual(found.map((d) => [d.code, d.column]), [['unknown-hidden-layer', 57], ['unknown-hidden-layer', 77]]);
  assert.equal(found[1]!.message, "the mlp of 'dense' has no hidden layer 'block1.mlp' (its hidden layers: layer1)");
});

test('the names are checked against the second network\'s model too', () => {
  const text = 'model deep = mlp(input: 64, hidden: [32, 16], classes: 10)\ninit w = kaiming_normal(deep)\nprobe p = cka(w, dense, on: d.test, layer: ["layer2"])';
  assert.deepEqual(diagnosticsOf(text), [{
    code: 'unknown-hidden-layer', line: LINE + 2, column: 45,
    message: "the mlp of 'dense' has no hidden layer 'layer2'; did you mean 'layer1'? (its hidden layers: layer1)",
  }]);
});

test('a transformer\'s hidden layers are the MLP units of its blocks', () => {
  const lm = 'dataset c = modular_addition(p: 7)\nmodel lm = transformer(vocab: 9, context: 4, width: 8, heads: 2, layers: 2)\ninit w = normal(lm)\ninit v = normal(lm, seed: 1)\n';
  compileOk(`${PRELUDE}${lm}probe p = cka(w, v, on: c.test, layer: ["block2.mlp"])`);
  const [bad] = diagnosticsOf(`${lm}probe p = cka(w, v, on: c.test, layer: ["block3.mlp"])`);
  assert.equal(bad!.message, "the transformer of 'w' has no hidden layer 'block3.mlp'; did you mean 'block1.mlp'? (its hidden layers: block1.mlp, block2.mlp)");
});

test('a model that exposes no hidden layers is refused at the argument that has it', () => {
  const text = 'model cnn = conv2(input: [8, 8, 1], classes: 10)\ninit c = kaiming_normal(cnn)\nprobe p = unit_roles(dense, c, on: d.test)';
  assert.deepEqual(diagnosticsOf(text), [{
    code: 'no-hidden-layers', line: LINE + 2, column: 29,
    message: "unit_roles compares hidden layers, but the conv2 of 'c' exposes none",
  }]);
});

test('without layer:, the second network\'s model must have every hidden layer of the first\'s', () => {
  const deep = 'model deep = mlp(input: 64, hidden: [32, 16], classes: 10)\ninit w = kaiming_normal(deep)\n';
  assert.deepEqual(diagnosticsOf(`${deep}probe p = cka(w, dense, on: d.test)`), [{
    code: 'model-mismatch', line: LINE + 2, column: 18,
    message: "cka compares every hidden layer of 'w', but the mlp of 'dense' has no 'layer2' (its hidden layers: layer1); name the layers to compare with layer:",
  }]);
  compileOk(`${PRELUDE}${deep}probe p = cka(dense, w, on: d.test)`);
  compileOk(`${PRELUDE}${deep}probe p = cka(w, dense, on: d.test, layer: ["layer1"])`);
});

test('the members of a family are checked once: one diagnostic, not one per member', () => {
  const text = 'lottery t = imp(dense, rounds: 3, rate: 50%, rewind: 0 steps)\nprobe p = cka(t, theta0, on: d.test, layer: ["layer9"])';
  assert.deepEqual(diagnosticsOf(text).map((d) => d.message), ["the mlp of 't[0]' has no hidden layer 'layer9'; did you mean 'layer1'? (its hidden layers: layer1)"]);
});
