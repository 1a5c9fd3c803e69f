// Stage keys: what enters them and what never does (LANGUAGE.md, "Identity and caching rules").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffPrograms } from '../../compiler/diff.ts';
import { compileOk, keys, PRELUDE, stagesOf } from './helpers.ts';

const LONG_FORM = `${PRELUDE}
train t[0] = dense
for level in 1..3 {
  mask m[level] = magnitude(t[level - 1], rate: 20%, scope: global, skip: ["output"])
  train t[level] = fit(rewind(dense @ 24 steps, mask: m[level]), like: dense)
}
`;

test('renaming every declaration leaves every key unchanged', () => {
  const renamed = LONG_FORM.replace(/\bdense\b/g, 'base').replace(/\btheta0\b/g, 'w0').replace(/\bt\[/g, 'run[').replace(/\bm\[/g, 'keep[').replace(/\bnet\b/g, 'arch');
  assert.deepEqual(keys(compileOk(renamed)), keys(compileOk(LONG_FORM)));
});

test('reordering declarations leaves every key unchanged', () => {
  const lines = PRELUDE.trim().split('\n').reverse().join('\n');
  assert.deepEqual(keys(compileOk(lines)), keys(compileOk(PRELUDE)));
});

test('layout and comments never enter a key', () => {
  const relaid = PRELUDE.replace(/, /g, ' ,\n   ').replace(/\n/g, '  # note\n\n');
  assert.deepEqual(keys(compileOk(relaid)), keys(compileOk(PRELUDE)));
});

test('numbers are canonical: 1.2e-3, 0.0012 and 0.12% are one value', () => {
  const a = compileOk(PRELUDE.replace('lr: 0.1', 'lr: 1.2e-3'));
  const b = compileOk(PRELUDE.replace('lr: 0.1', 'lr: 0.0012'));
  const c = compileOk(PRELUDE.replace('lr: 0.1', 'lr: 0.12%'));
  assert.deepEqual(keys(a), keys(b));
  assert.deepEqual(keys(a), keys(c));
  assert.notDeepEqual(keys(a), keys(compileOk(PRELUDE)));
});

test('a default written out is the same as the default left out', () => {
  const explicit = PRELUDE.replace('sgd(lr: 0.1, batch: 60)', 'sgd(lr: 0.1, batch: 60, momentum: 0, nesterov: false, weight_decay: 0)');
  assert.deepEqual(keys(compileOk(explicit)), keys(compileOk(PRELUDE)));
});

test('imp(...) compiles to exactly the stages of the long form', () => {
  const sugar = compileOk(`${PRELUDE}
lottery imp = imp(dense, rounds: 3, rate: 20%, scope: global, rewind: 24 steps, skip: ["output"])
`);
  const long = compileOk(LONG_FORM);
  assert.deepEqual(keys(sugar), keys(long));
  assert.deepEqual(stagesOf(sugar, 'imp'), [0, 1, 2, 3].map((l) => stagesOf(long, `t[${l}]`)[0]));
});

test('oneshot(...) compiles to the stages of one pruning level', () => {
  const sugar = compileOk(`${PRELUDE}
lottery one = oneshot(dense, sparsity: 80%, rewind: 24 steps)
`);
  const long = compileOk(`${PRELUDE}
mask m = magnitude(dense, rate: 80%)
train t = fit(rewind(dense @ 24 steps, mask: m), like: dense)
`);
  assert.deepEqual(keys(sugar), keys(long));
});

test('like: gives the same run as writing its recipe out', () => {
  const a = compileOk(`${PRELUDE}train copy = fit(theta0, like: dense, order: 5)\n`);
  const b = compileOk(`${PRELUDE}train copy = fit(theta0, data: d.train, optimizer: opt, steps: 240 steps, order: 5)\n`);
  assert.deepEqual(stagesOf(a, 'copy'), stagesOf(b, 'copy'));
});

test('epochs are converted with the train size and batch size (digits: 1438 / 60 → 24 steps)', () => {
  const a = compileOk(PRELUDE.replace('steps: 240 steps', 'steps: 10 epochs'));
  assert.deepEqual(keys(a), keys(compileOk(PRELUDE)));
});

test('adding loop levels keeps the keys of the earlier levels', () => {
  const three = compileOk(LONG_FORM);
  const four = compileOk(LONG_FORM.replace('1..3', '1..4'));
  for (const key of keys(three)) assert.ok(keys(four).has(key));
  assert.equal(keys(four).size, keys(three).size + 3);
});

test('--set changes the keys of what depends on the param, and only those', () => {
  const text = `param seed = 0\n${PRELUDE.replace('seed: 0', 'seed: seed')}`;
  const base = compileOk(text);
  const same = compileOk(text, [{ name: 'seed', value: '0' }]);
  const other = compileOk(text, [{ name: 'seed', value: '3' }]);
  assert.deepEqual(keys(same), keys(base));
  assert.notDeepEqual(stagesOf(other, 'theta0'), stagesOf(base, 'theta0'));
  assert.notDeepEqual(stagesOf(other, 'dense'), stagesOf(base, 'dense'));
});

test('two declarations of the same computation are one stage', () => {
  const p = compileOk(`${PRELUDE}train again = fit(theta0, data: d.train, optimizer: opt, steps: 240 steps)\n`);
  assert.deepEqual(stagesOf(p, 'again'), stagesOf(p, 'dense'));
  assert.equal(p.stages.filter((s) => s.kind === 'train').length, 1);
  const stage = p.stageByKey.get(stagesOf(p, 'dense')[0]!)!;
  assert.deepEqual(stage.names.sort(), ['again', 'dense']);
});

test('RUN @ k splits the run: the checkpoint at k is a stage, computed before the rest of the run', () => {
  const p = compileOk(`${PRELUDE}mask m = magnitude(dense @ 100 steps, rate: 50%)\n`);
  const trains = p.stages.filter((s) => s.kind === 'train');
  assert.deepEqual(trains.map((s) => [s.runPoint!.from, s.runPoint!.step, s.params.to]), [[0, 100, 100], [100, 240, 240]]);
  assert.equal(trains[0]!.runPoint!.run, trains[1]!.runPoint!.run, 'two checkpoints of one run');
  assert.deepEqual(trains[1]!.after, [trains[0]!.key]);
  const mask = p.stageByKey.get(stagesOf(p, 'm')[0]!)!;
  assert.equal(mask.inputs.weights, trains[0]!.key);
});

test('a run\'s checkpoint is keyed by the run and the step: both stages start from the run\'s start, neither has `from`', () => {
  const p = compileOk(`${PRELUDE}mask m = magnitude(dense @ 100 steps, rate: 50%)\n`);
  const trains = p.stages.filter((s) => s.kind === 'train');
  for (const stage of trains) {
    assert.deepEqual(stage.inputs, { start: stagesOf(p, 'theta0')[0] });
    assert.equal('from' in stage.params, false);
  }
});

const IMP_10 = `${PRELUDE}lottery imp = imp(dense, rounds: 10, rate: 20%, rewind: 24 steps, skip: ["output"])
probe acc = accuracy(imp, on: d.test)
`;

test('adding a reference RUN @ k adds stages and re-keys none: a 10-level IMP program with a probe on dense @ 60 steps', () => {
  const before = compileOk(IMP_10);
  const after = compileOk(`${IMP_10}probe early = accuracy(dense @ 60 steps, on: d.test)\n`);
  for (const key of keys(before)) assert.ok(keys(after).has(key), `${before.stageByKey.get(key)!.name} kept its key`);
  const diff = diffPrograms(before, after);
  assert.deepEqual(diff.changed, []);
  assert.deepEqual(diff.removed, []);
  assert.deepEqual(diff.added.map((s) => s.kind).sort(), ['probe', 'train']);
  assert.equal(diff.unchanged.length, before.stages.length);
});

test('moving or removing a reference RUN @ k re-keys nothing else', () => {
  const at = (step: number) => compileOk(`${PRELUDE}mask m = magnitude(dense @ ${step} steps, rate: 50%)\nprobe p = accuracy(dense, on: d.test)\n`);
  const at100 = at(100);
  const at60 = at(60);
  const none = compileOk(`${PRELUDE}probe p = accuracy(dense, on: d.test)\n`);
  const shared = (a: typeof none, b: typeof none) => [...keys(a)].filter((k) => keys(b).has(k)).length;
  // Only the mask's checkpoint (and the mask) move: dense, its probe and theta0 keep their keys.
  assert.equal(shared(at100, at60), at100.stages.length - 2);
  assert.equal(shared(at100, none), none.stages.length);
  assert.deepEqual(stagesOf(at100, 'dense'), stagesOf(none, 'dense'));
});

test('RUN @ every N adds the checkpoints and leaves the run\'s final checkpoint as it was', () => {
  const plain = compileOk(`${PRELUDE}probe p = accuracy(dense, on: d.test)\n`);
  const every = compileOk(`${PRELUDE}probe p = accuracy(dense, on: d.test)\nprobe q = accuracy(dense @ every 60 steps, on: d.test)\n`);
  assert.deepEqual(stagesOf(every, 'dense'), stagesOf(plain, 'dense'));
  const trains = every.stages.filter((s) => s.kind === 'train');
  assert.deepEqual(trains.map((s) => s.runPoint!.step), [60, 120, 180, 240]);
});

test('a reference at the run\'s start step is the start checkpoint itself', () => {
  const p = compileOk(`${PRELUDE}mask m = magnitude(dense @ 0 steps, rate: 50%)\n`);
  assert.equal(p.stageByKey.get(stagesOf(p, 'm')[0]!)!.inputs.weights, stagesOf(p, 'theta0')[0]);
  assert.equal(p.stages.filter((s) => s.kind === 'train').length, 1);
});

test('the same seed for different purposes and different seeds give different keys', () => {
  const a = compileOk(`${PRELUDE}init other = kaiming_normal(net, seed: 1)\n`);
  assert.notDeepEqual(stagesOf(a, 'other'), stagesOf(a, 'theta0'));
});
