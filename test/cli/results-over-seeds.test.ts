// Seeds as an axis, through the real binary on a small program with a seed loop (three seeds of an
// mlp on digits, a two-level lottery and accuracy along training): `ltx results --over/--by` aggregate
// any probe's rows over loop variables, in text, JSON and CSV, and the report draws the mean over seeds
// with a band.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { summarize } from '../../cli/statistics.ts';
import { ltx, workspace } from './helpers.ts';

const PROGRAM = `dataset d = digits(test: 20%, seed: 0)
model net = mlp(input: 64, hidden: [16], classes: 10)
optimizer opt = sgd(lr: 0.1, momentum: 0.9, batch: 60)

for seed in [0, 1, 2] {
  init w0[seed] = kaiming_normal(net, seed: seed)
  train dense[seed] = fit(w0[seed], data: d.train, optimizer: opt, steps: 20 steps, order: seed)
  lottery ticket[seed] = imp(dense[seed], rounds: 2, rate: 50%, rewind: 10 steps, skip: ["output"])
  probe acc[seed] = accuracy(ticket[seed], on: d.test)
  probe curve[seed] = accuracy(dense[seed] @ every 10 steps, on: d.test)
}
`;

const { dir, file, cache } = workspace(PROGRAM);

before(() => {
  const r = ltx(['run', file, '--cache', cache]);
  assert.equal(r.status, 0, r.stderr);
});

type Row = { index: Record<string, number>; metrics: Record<string, number> };
type Group = { index: Record<string, number>; rows: number; done: number; metrics: Record<string, { n: number; mean: number; std?: number; min: number; max: number; ci95?: [number, number] }> };

function rowsOf(probe: string): Row[] {
  const r = ltx(['results', file, '--json', '--cache', cache]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout).probes[probe];
}

function groupsOf(args: string[]): Record<string, Group[]> {
  const r = ltx(['results', file, '--json', '--cache', cache, ...args]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout).probes;
}

test('--over seed: one group per level, each metric summarized over the three seeds\' rows', () => {
  const rows = rowsOf('acc');
  const groups = groupsOf(['--over', 'seed'])['acc']!;
  assert.deepEqual(groups.map((g) => g.index), [{ level: 0 }, { level: 1 }, { level: 2 }]);
  for (const group of groups) {
    const accuracies = rows.filter((r) => r.index['level'] === group.index['level']).map((r) => r.metrics['accuracy']!);
    assert.equal(accuracies.length, 3);
    assert.equal(group.rows, 3);
    assert.equal(group.done, 3);
    assert.deepEqual(group.metrics['accuracy'], summarize(accuracies));
  }
});

test('--by names the coordinates kept: --by level is --over seed for the lottery, and --by seed level keeps every row apart', () => {
  assert.deepEqual(groupsOf(['--by', 'level'])['acc'], groupsOf(['--over', 'seed'])['acc']);
  const apart = groupsOf(['--by', 'seed', 'level'])['acc']!;
  assert.equal(apart.length, 9);
  assert.ok(apart.every((g) => g.metrics['accuracy']!.n === 1 && g.metrics['accuracy']!.ci95 === undefined));
});

test('any probe aggregates: accuracy along training over seed, one group per step', () => {
  const groups = groupsOf(['--over', 'seed'])['curve']!;
  assert.deepEqual(groups.map((g) => g.index['step']), [0, 10, 20]);
  assert.ok(groups.every((g) => g.metrics['accuracy']!.n === 3));
});

test('text: a line per group and metric with n, mean, std, min, max and the 95% interval', () => {
  const r = ltx(['results', file, '--over', 'seed', '--cache', cache]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /acc accuracy, over seed: 3 groups of 9 of 9 rows computed/);
  assert.match(r.stdout, /LEVEL +METRIC +N +MEAN +STD +MIN +MAX +95% CI/);
  const level1 = groupsOf(['--over', 'seed'])['acc']![1]!.metrics['accuracy']!;
  const line = r.stdout.split('\n').find((l) => /^1 +accuracy /.test(l));
  assert.ok(line, r.stdout);
  assert.match(line, new RegExp(`^1 +accuracy +3 +${String(Number(level1.mean.toPrecision(4)))} `));
  assert.match(line, / – /);
});

test('CSV: probe, the coordinates kept, metric and the statistics, one line per group and metric', () => {
  const r = ltx(['results', file, '--csv', '--over', 'seed', '--cache', cache]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], 'probe,level,step,metric,n,mean,std,min,max,ci95_low,ci95_high');
  const level2 = lines.find((l) => l.startsWith('acc,2,,accuracy,3,'));
  assert.ok(level2, r.stdout);
  const group = groupsOf(['--over', 'seed'])['acc']![2]!.metrics['accuracy']!;
  assert.deepEqual(level2.split(',').slice(5).map(Number), [group.mean, group.std, group.min, group.max, group.ci95![0], group.ci95![1]]);
});

test('a name that is no coordinate of any row is a usage error naming the flag and the coordinates there are (exit 2)', () => {
  for (const flag of ['--over', '--by']) {
    const r = ltx(['results', file, flag, 'sed', '--cache', cache]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`${flag} 'sed': no probe row has this coordinate \\(the probes' rows have 'seed', 'level', 'step'\\)`));
    assert.equal(r.stdout, '');
  }
  const both = ltx(['results', file, '--over', 'seed', '--by', 'level', '--cache', cache]);
  assert.equal(both.status, 2);
  assert.match(both.stderr, /--by and --over exclude each other/);
  const curves = ltx(['results', file, '--over', 'seed', '--curves', '--cache', cache]);
  assert.equal(curves.status, 2);
  assert.match(curves.stderr, /--curves and --over exclude each other/);
});

test('the names may also be repeated flags or separated by commas', () => {
  assert.deepEqual(groupsOf(['--by', 'seed,level']), groupsOf(['--by', 'seed', '--by', 'level']));
  assert.deepEqual(groupsOf(['--by', 'seed,level']), groupsOf(['--by', 'seed', 'level']));
});

test('the report draws each trajectory and ticket curve as the mean over seeds with a band, seeds told apart by shape', () => {
  const out = join(dir, 'report');
  const r = ltx(['report', file, '--cache', cache, '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const specs = Object.fromEntries(readdirSync(join(out, 'specs')).map((name) => [name, readFileSync(join(out, 'specs', name), 'utf8')]));
  for (const name of ['accuracy-vs-remaining.vl.json', 'trajectory-curve.vl.json']) {
    const spec = specs[name];
    assert.ok(spec, `${name} among ${Object.keys(specs).join(', ')}`);
    assert.match(spec, /"type": "area"/, `${name} has a band`);
    assert.match(spec, /"shape": \{\s*"field": "seed"/, `${name} shapes points by seed`);
  }
});
