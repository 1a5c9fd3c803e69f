// Adding a model is one file (its op module) plus one line (the module in a Library's list): nothing in
// compiler/, runtime/ or cli/ names a model. Here the file is test/models/fixtures/linear.ts, and the
// line builds the Library below.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readResults } from '../../cli/probe-results.ts';
import { compile, type CompiledProgram } from '../../compiler/compile.ts';
import { createLibrary } from '../../core/library.ts';
import { initialize } from '../../stdlib/inits/index.ts';
import { standardLibrary, standardModules } from '../../stdlib/library.ts';
import { memoryHost } from '../compiler/helpers.ts';
import { runInProcess } from '../runtime/helpers.ts';
import { linear } from './fixtures/linear.ts';

const library = createLibrary([...standardModules, linear]);

const PROGRAM = `
dataset d = digits(test: 20%, seed: 0)
model net = linear(input: 64, classes: 10)
init w0 = kaiming_normal(net, seed: 0)
optimizer opt = sgd(lr: 0.1, batch: 60)
train fitted = fit(w0, data: d.train, optimizer: opt, steps: 2 epochs)
probe acc = accuracy(fitted, on: d.test)
`;

function compileWith(text: string, against = library): CompiledProgram {
  return compile('main.ltx', { host: memoryHost({ 'main.ltx': text }), library: against });
}

test('a program trains and measures a model of a library that has it', () => {
  const program = compileWith(PROGRAM);
  assert.deepEqual(program.diagnostics.map((d) => d.message), []);
  assert.deepEqual(program.stages.map((s) => [s.kind, s.op]), [['init', 'init'], ['train', 'train'], ['probe', 'accuracy']]);
  const model = { op: 'linear', version: 1, params: { input: 64, classes: 10, bias: true } };
  for (const stage of program.stages) assert.deepEqual(stage.params.model ?? model, model, `${stage.name} carries the model with its defaults`);
  // 2 epochs of 1438 training images in batches of 60.
  assert.equal(program.stages[1]!.params.to, 48);
});

test('it trains through the runtime, and its accuracy is read from the results', async () => {
  const program = compileWith(PROGRAM);
  const { store, summary } = await runInProcess(program, library);
  assert.deepEqual(summary.stages.map((s) => [s.name, s.status]), [['w0', 'done'], ['fitted', 'done'], ['acc', 'done']]);
  const [row] = (await readResults(program, store))['acc']!;
  // Ten classes: chance is 0.1.
  assert.ok(row!.metrics['accuracy']! > 0.5, `accuracy ${row!.metrics['accuracy']}`);
  assert.equal(row!.metrics['remaining'], 1);
});

test('a runtime given a library without the model fails its stages, naming the model', async () => {
  const { summary } = await runInProcess(compileWith(PROGRAM), standardLibrary);
  assert.deepEqual(summary.stages.map((s) => [s.name, s.status]), [['w0', 'failed'], ['fitted', 'skipped'], ['acc', 'skipped']]);
  assert.equal(summary.stages[0]!.error, 'model linear: the library ltx runs with has no model of that name');
});

test('the compiler checks layer names against the new model\'s own layout', () => {
  const program = compileWith(`${PROGRAM}mask m = magnitude(fitted, rate: 50%, skip: ["readot"])\n`);
  assert.deepEqual(program.diagnostics.map((d) => d.message), ["linear has no prunable layer 'readot'; did you mean 'readout'?"]);
});

test('the new model\'s version reaches the keys of the stages that use it', () => {
  const before = compileWith(PROGRAM).stages.map((s) => s.key);
  const bumped = createLibrary([...standardModules, { ...linear, version: 2 }]);
  const after = compileWith(PROGRAM, bumped).stages.map((s) => s.key);
  assert.equal(after.filter((key, i) => key !== before[i]).length, 3);
});

test('the standard library does not know it: nothing outside the library was taught the model', () => {
  const program = compileWith(PROGRAM, standardLibrary);
  assert.match(program.diagnostics[0]!.message, /unknown function 'linear'/);
});

test('its layout serves the standard initializers', () => {
  const layout = linear.model.layout({ input: 4, classes: 3, bias: true });
  assert.deepEqual(layout.prunableLayers, ['readout']);
  const weights = initialize(layout, 'xavier_uniform', { seed: 1 });
  assert.deepEqual([...weights.keys()], ['readout.weight', 'readout.bias']);
});
