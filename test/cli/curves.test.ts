// Training curves through the real binary: a run records its loss and learning rate as it trains, and
// `ltx results` gives them back (in --json always; with --curves as a summary or, with --csv, every
// point) without running anything again.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { ltx, workspace } from './helpers.ts';

/** A run split in two by a probe at step 5, with the learning rate halved at step 8. */
const PROGRAM = `dataset d = digits(test: 20%, seed: 0)
model net = mlp(input: 64, hidden: [8], classes: 10)
init w0 = kaiming_normal(net, seed: 0)
optimizer opt = sgd(lr: 0.1, batch: 60, decay: step(at: [8], factor: 0.5))
train dense = fit(w0, data: d.train, optimizer: opt, steps: 12 steps, order: 0)
probe early = accuracy(dense @ 5 steps, on: d.test)
`;

const { file, cache } = workspace(PROGRAM);

before(() => {
  const r = ltx(['run', file, '--cache', cache, '-j', '1']);
  assert.equal(r.status, 0, r.stderr);
});

type Curve = { every: number; steps: number; step: number[]; loss: number[]; lr: number[] };

test('results --json has each run\'s training curve: a point per step with its loss and learning rate, across the run\'s segments', () => {
  const r = ltx(['results', file, '--json', '--cache', cache]);
  assert.equal(r.status, 0, r.stderr);
  const curves = JSON.parse(r.stdout).curves as Record<string, Curve>;
  assert.deepEqual(Object.keys(curves), ['dense']);
  const dense = curves['dense']!;
  assert.deepEqual([dense.every, dense.steps], [1, 12]);
  assert.deepEqual(dense.step, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.deepEqual(dense.lr, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05]);
  assert.equal(dense.loss.length, 12);
  assert.ok(dense.loss.every((loss) => Number.isFinite(loss) && loss > 0));
  assert.ok(dense.loss.at(-1)! < dense.loss[0]!, `it trains: ${dense.loss.join(', ')}`);
});

test('results --curves adds a summary line per run; --csv --curves prints every point', () => {
  const text = ltx(['results', file, '--curves', '--cache', cache]).stdout;
  assert.match(text, /^training curves a point every step; every point: --json, or --csv --curves$/m);
  assert.match(text, /^dense +12\/12 +[\d.]+ +[\d.]+ +[\d.]+ \(\d+\) +0\.1 → 0\.05$/m);
  assert.doesNotMatch(ltx(['results', file, '--cache', cache]).stdout, /training curves/);

  const csv = ltx(['results', file, '--csv', '--curves', '--cache', cache]).stdout.trim().split('\n');
  assert.equal(csv[0], 'run,step,loss,lr');
  assert.equal(csv.length, 1 + 12);
  assert.match(csv[12]!, /^dense,12,[\d.e-]+,0\.05$/);
});

test('a program that has not run yet has no curves', () => {
  const fresh = workspace(PROGRAM);
  const r = ltx(['results', fresh.file, '--json', '--cache', fresh.cache]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).curves, {});
  assert.match(ltx(['results', fresh.file, '--curves', '--cache', fresh.cache]).stdout, /^training curves no run has a recorded curve yet/m);
});
