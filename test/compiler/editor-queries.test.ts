// The compiler's queries for editors: names and their occurrences across files (loop variables kept to
// their loop), the layers a declaration's model has, and a compile that stops before the stages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compile } from '../../compiler/compile.ts';
import { allModelLayers, modelLayersOf } from '../../compiler/layers-in-scope.ts';
import { definitionsOf, occurrenceAt, occurrencesOf, programSymbols } from '../../compiler/symbols.ts';
import { parseProgram } from '../../lang/parse.ts';
import { standardLibrary } from '../../stdlib/library.ts';
import { compileOk, memoryHost } from './helpers.ts';

const LIB = 'dataset d = digits(test: 20%, seed: 0)\nmodel net = mlp(input: 64, hidden: [16, 8], classes: 10)\n';
const MAIN = `import "lib.ltx"
init w0 = kaiming_normal(net, seed: 0)
optimizer o = sgd(lr: 0.1, batch: 60)
train t[0] = fit(w0, data: d.train, optimizer: o, steps: 10 steps)
for level in 1..2 {
  train t[level] = fit(rewind(w0, mask: magnitude(t[level - 1], rate: 20%)), like: t[0])
}
for level in [5] {
  probe acc[level] = accuracy(t[2], on: d.test)
}
`;
const files = [{ path: 'lib.ltx', program: parseProgram(LIB, 'lib.ltx').program }, { path: 'main.ltx', program: parseProgram(MAIN, 'main.ltx').program }];
const symbols = programSymbols(files);

test('a name used in one file is declared in the file it imports', () => {
  const use = occurrenceAt(symbols, 'main.ltx', MAIN.indexOf('net'))!;
  assert.equal(use.role, 'use');
  assert.deepEqual(definitionsOf(symbols, use).map((d) => [d.file, d.range.start.line, d.range.start.column]), [['lib.ltx', 2, 7]]);
});

test('an indexed family has one declaration per statement, and its uses are all its occurrences', () => {
  assert.equal(symbols.declarations.get('t')?.length, 2);
  const all = occurrencesOf(symbols, occurrenceAt(symbols, 'main.ltx', MAIN.indexOf('t[2]'))!);
  assert.deepEqual(all.map((o) => o.role).sort(), ['declaration', 'declaration', 'use', 'use', 'use']);
});

test("a loop variable is its own loop's: two loops with one variable name do not share occurrences", () => {
  const first = occurrenceAt(symbols, 'main.ltx', MAIN.indexOf('level - 1'))!;
  assert.equal(first.role, 'loop-variable');
  assert.deepEqual(occurrencesOf(symbols, first).map((o) => o.range.start.line), [5, 6, 6]);
  const second = occurrenceAt(symbols, 'main.ltx', MAIN.indexOf('acc[level]') + 4)!;
  assert.deepEqual(occurrencesOf(symbols, second).map((o) => o.range.start.line), [8, 9]);
});

test("callees, argument names and members are not names of the program", () => {
  for (const word of ['fit(', 'rate:', 'train,']) assert.equal(occurrenceAt(symbols, 'main.ltx', MAIN.indexOf(word)), undefined, word);
});

test("the layers of a declaration's model come from its stages", () => {
  const program = compileOk(`${LIB}init w0 = kaiming_normal(net)\noptimizer o = sgd(lr: 0.1, batch: 60)\ntrain t = fit(w0, data: d.train, optimizer: o, steps: 5 steps)\nmask m = magnitude(t, rate: 20%)\n`);
  assert.deepEqual(modelLayersOf(program, standardLibrary, 'm', 'prunable'), ['layer1', 'layer2', 'output']);
  assert.deepEqual(modelLayersOf(program, standardLibrary, 'w0', 'prunable'), ['layer1', 'layer2', 'output']);
  assert.equal(modelLayersOf(program, standardLibrary, 'nothing', 'prunable'), undefined);
  assert.deepEqual(allModelLayers(program, standardLibrary, 'prunable'), ['layer1', 'layer2', 'output']);
});

test("the hidden layers of a declaration's model, what a representation probe's layer: may name", () => {
  const lm = 'model lm = transformer(vocab: 9, context: 4, width: 8, heads: 2, layers: 2)\ninit v = normal(lm)\n';
  const program = compileOk(`${LIB}${lm}init w0 = kaiming_normal(net)\noptimizer o = sgd(lr: 0.1, batch: 60)\ntrain t = fit(w0, data: d.train, optimizer: o, steps: 5 steps)\n`);
  assert.deepEqual(modelLayersOf(program, standardLibrary, 't', 'hidden'), ['layer1', 'layer2']);
  assert.deepEqual(modelLayersOf(program, standardLibrary, 'v', 'hidden'), ['block1.mlp', 'block2.mlp']);
  assert.deepEqual(allModelLayers(program, standardLibrary, 'hidden'), ['block1.mlp', 'block2.mlp', 'layer1', 'layer2']);
});

test('a compile without stages reports the same diagnostics and builds no stage', () => {
  const host = memoryHost({ 'main.ltx': MAIN, 'lib.ltx': LIB });
  const full = compile('main.ltx', { host, library: standardLibrary });
  const checked = compile('main.ltx', { host, library: standardLibrary, stages: false });
  assert.ok(full.stages.length > 0);
  assert.deepEqual(checked.stages, []);
  assert.deepEqual(checked.diagnostics, full.diagnostics);
  const broken = memoryHost({ 'main.ltx': MAIN.replace('rate: 20%', 'rtae: 20%'), 'lib.ltx': LIB });
  assert.deepEqual(
    compile('main.ltx', { host: broken, library: standardLibrary, stages: false }).diagnostics,
    compile('main.ltx', { host: broken, library: standardLibrary }).diagnostics,
  );
});
