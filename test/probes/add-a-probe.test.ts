// Adding a probe is one file (its op module) plus one line (the module in a Library's list): nothing in
// compiler/, runtime/ or cli/ names a probe. Here the file is test/probes/fixtures/mean-abs-weight.ts,
// and the line builds the Library below; the program compiles, runs, lists its results and is reported.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { readResults, type ResultRow } from '../../cli/probe-results.ts';
import { figuresFor } from '../../cli/report/figures.ts';
import { compile, type CompiledProgram } from '../../compiler/compile.ts';
import { createLibrary } from '../../core/library.ts';
import { standardLibrary, standardModules } from '../../stdlib/library.ts';
import { memoryHost } from '../compiler/helpers.ts';
import { runInProcess } from '../runtime/helpers.ts';
import { meanAbsWeight } from './fixtures/mean-abs-weight.ts';

const library = createLibrary([...standardModules, meanAbsWeight]);

const PROGRAM = `
dataset d = digits(test: 20%, seed: 0)
model net = mlp(input: 64, hidden: [8], classes: 10)
init w0 = kaiming_normal(net, seed: 0)
optimizer opt = sgd(lr: 0.5, batch: 60)
train dense = fit(w0, data: d.train, optimizer: opt, steps: 20 steps)
probe size = mean_abs_weight(dense @ every 10 steps)
`;

function compileWith(against = library): CompiledProgram {
  return compile('main.ltx', { host: memoryHost({ 'main.ltx': PROGRAM }), library: against });
}

let program: CompiledProgram;
let rows: ResultRow[] = [];
before(async () => {
  program = compileWith();
  assert.deepEqual(program.diagnostics.map((d) => d.message), []);
  const { store, summary } = await runInProcess(program, library);
  assert.equal(summary.failed, 0, JSON.stringify(summary.stages.filter((s) => s.status !== 'done')));
  rows = (await readResults(program, store))['size'] ?? [];
});

test('the program compiles to one stage of the new probe per checkpoint it names', () => {
  const probes = program.stages.filter((s) => s.kind === 'probe');
  assert.deepEqual(probes.map((s) => [s.op, s.version]), [['mean_abs_weight', 1], ['mean_abs_weight', 1], ['mean_abs_weight', 1]]);
});

test('it runs, and its results are listed row by row over the steps', () => {
  assert.deepEqual(rows.map((r) => [r.index['step'], r.status]), [[0, 'done'], [10, 'done'], [20, 'done']]);
  const values = rows.map((r) => r.metrics['mean_abs']!);
  assert.ok(values.every((v) => Number.isFinite(v) && v > 0), `mean |w| of each checkpoint: ${values}`);
  assert.notEqual(values[2], values[0], 'training moved the weights');
});

test('the report draws the trajectory its module declares, with its caption', () => {
  const probes = program.probes.map((table) => ({ name: table.name, op: table.op, declarations: table.declarations, rows }));
  const figures = figuresFor(probes, library);
  assert.deepEqual(figures.map((f) => [f.id, f.title]), [['trajectory-size', 'size: mean_abs over step']]);
  const values = (figures[0]!.spec as { data: { values: { at: number; value: number }[] } }).data.values;
  assert.deepEqual(values.map((d) => [d.at, d.value]), rows.map((r) => [r.index['step'], r.metrics['mean_abs']]));
  assert.match(figures[0]!.caption, /^Mean \|w\| of each checkpoint/);
});

test('the standard library does not know it: nothing outside the library was taught the probe', () => {
  assert.match(compileWith(standardLibrary).diagnostics[0]!.message, /unknown function 'mean_abs_weight'/);
});
