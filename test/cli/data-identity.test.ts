// A dataset is keyed by the content of the files it reads, and a relative data path means one file in
// every phase: relative to the program file that names it (as imports are), whatever the working
// directory. Through the real binary, on a text corpus next to the program and the bundled digits.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileFile } from '../../cli/compile-file.ts';
import type { OpRef } from '../../core/artifacts.ts';
import { datasetCache } from '../../stdlib/stage-support/data-cache.ts';
import { ROOT, ltx, workspace } from './helpers.ts';

const CORPUS = 'the quick brown fox jumps over the lazy dog. '.repeat(8);

/** A language model on data/t.txt (epochs: its size is read at compile time) and an mlp on the digits. */
const TWO_DATASETS = `dataset t = text("data/t.txt", context: 8, test: 25%)
model lm = transformer(vocab: 32, context: 8, width: 8, heads: 2, layers: 1)
init w = normal(lm, seed: 0)
optimizer o = adam(lr: 0.001, batch: 4)
train lmrun = fit(w, data: t.train, optimizer: o, steps: 1 epochs)
probe lmacc = accuracy(lmrun, on: t.test)
dataset d = digits(test: 20%, seed: 0)
model net = mlp(input: 64, hidden: [8], classes: 10)
init w0 = kaiming_normal(net, seed: 0)
train dense = fit(w0, data: d.train, optimizer: o, steps: 5 steps)
probe acc = accuracy(dense, on: d.test)
`;

function withCorpus(program = TWO_DATASETS) {
  const space = workspace(program);
  mkdirSync(join(space.dir, 'data'));
  writeFileSync(join(space.dir, 'data/t.txt'), CORPUS);
  return space;
}

/** Stage name → key, as `ltx plan --json` run in `cwd` prints them. */
function planKeys(file: string, cwd: string): Map<string, string> {
  const plan = ltx(['plan', file, '--json', '--cache', join(cwd, 'no-cache')], cwd);
  assert.equal(plan.status, 0, plan.stderr);
  const stages = (JSON.parse(plan.stdout) as { stages: { name: string; id: string }[] }).stages;
  return new Map(stages.map((s) => [s.name, s.id]));
}

test('editing a data file re-keys exactly the stages of its dataset\'s dependents', () => {
  const { dir, file } = withCorpus();
  const before = planKeys(file, dir);
  appendFileSync(join(dir, 'data/t.txt'), 'x');
  const after = planKeys(file, dir);
  const changed = [...before.keys()].filter((name) => before.get(name) !== after.get(name)).sort();
  assert.deepEqual(changed, ['lmacc', 'lmrun']);
});

test('the same program has the same keys from any working directory', () => {
  const { dir, file } = withCorpus();
  mkdirSync(join(dir, 'elsewhere'));
  assert.deepEqual(planKeys(file, join(dir, 'elsewhere')), planKeys(file, dir));
  assert.deepEqual(planKeys('tiny.ltx', dir), planKeys(file, ROOT));
});

test('a missing data file is reported as missing at the path argument', () => {
  const { dir, file } = workspace(TWO_DATASETS);
  const check = ltx(['check', file], dir);
  assert.equal(check.status, 1);
  assert.match(check.stderr, new RegExp(`tiny\\.ltx:1:18: error: no such file: ${join(dir, 'data/t.txt')}`));
  assert.doesNotMatch(check.stderr, /cannot be converted/);
});

test('a path in an imported file is relative to that file, at compile time and when the data is loaded', async () => {
  const { dir, file } = workspace('import "lib/data.ltx"\nprobe n = sparsity(w)\n');
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'lib/data.ltx'), TWO_DATASETS.replace('"data/t.txt"', '"t.txt"'));
  writeFileSync(join(dir, 'lib/t.txt'), CORPUS);
  const program = await compileFile(file, { sets: [] });
  assert.deepEqual(program.diagnostics.map((d) => d.message), []);
  const lmrun = program.stages.find((s) => s.name.startsWith('lmrun'))!;
  const dataset = (lmrun.params.data as unknown as { dataset: OpRef }).dataset;
  assert.equal(dataset.params.path, 'lib/t.txt');
  assert.deepEqual(Object.keys(dataset.params.content as object), ['t.txt']);
  const loaded = await datasetCache.load(dataset, dir);
  assert.equal(loaded.train.n + loaded.test.n, 44);
});
