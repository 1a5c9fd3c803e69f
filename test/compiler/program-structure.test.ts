// Name resolution, params, loops, imports and families: the structure the language reference promises.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileOk, compileText, errors, keys, PRELUDE, stagesOf } from './helpers.ts';

test('a name can be used before the line that declares it', () => {
  const p = compileOk(`probe a = accuracy(dense, on: d)\n${PRELUDE}`);
  assert.equal(p.probes[0]!.rows.length, 1);
});

test('params feed loop ranges and arguments, and --set overrides them', () => {
  const text = `param levels = 2\nparam r = 20%\n${PRELUDE}for level in 1..levels { mask m[level] = magnitude(dense, rate: r * level) }`;
  assert.equal(compileOk(text).stages.filter((s) => s.kind === 'mask').length, 2);
  const more = compileOk(text, [{ name: 'levels', value: '3' }]);
  assert.deepEqual(more.stages.filter((s) => s.kind === 'mask').map((s) => s.params.rate), [0.2, 0.4, 0.6000000000000001]);
});

test('nested loops index declarations by several variables; a partial index is a family with all its coordinates', () => {
  const p = compileOk(`${PRELUDE}for s in [0, 1] { for l in 1..2 { mask m[s][l] = magnitude(fit(theta0, like: dense, order: s), rate: l * 10%) } }
probe kept = sparsity(m[1])`);
  assert.deepEqual(p.probes[0]!.rows.map((r) => r.index), [{ s: 1, l: 1 }, { s: 1, l: 2 }]);
});

test('a lottery member of an indexed lottery is reached by two indices', () => {
  const p = compileOk(`${PRELUDE}for s in [0, 1] { lottery lot[s] = imp(fit(theta0, like: dense, order: s), rounds: 2, rate: 50%) }
probe o = mask_overlap(lot[0][2], lot[1][2])`);
  assert.equal(p.probes[0]!.rows.length, 1);
});

test('families are paired by coordinates in two-subject probes; a single value is broadcast', () => {
  const p = compileOk(`${PRELUDE}lottery a = imp(dense, rounds: 2, rate: 50%)
lottery b = imp(fit(theta0, like: dense, order: 9), rounds: 2, rate: 50%)
probe same = weight_distance(a, b)
probe to_init = weight_distance(a, theta0)`);
  const same = p.probes.find((t) => t.name === 'same')!;
  assert.deepEqual(same.rows.map((r) => r.index), [{ level: 0 }, { level: 1 }, { level: 2 }]);
  assert.equal(p.probes.find((t) => t.name === 'to_init')!.rows.length, 3);
});

test('RUN @ every N is the family of checkpoints from the start to the end, the end included', () => {
  const p = compileOk(`${PRELUDE}probe drift = weight_distance(dense @ every 100 steps, theta0)`);
  assert.deepEqual(p.probes[0]!.rows.map((r) => r.index.step), [0, 100, 200, 240]);
  assert.deepEqual(p.stages.filter((s) => s.kind === 'train').map((s) => s.params.to), [100, 200, 240]);
});

test('imports bring another file\'s declarations into scope, read once however often imported', () => {
  const shared = PRELUDE;
  const p = compileText('import "common.ltx"\nimport "more.ltx"\nprobe a = accuracy(dense, on: d)', [], {
    'common.ltx': shared, 'more.ltx': 'import "common.ltx"\nmask m = magnitude(dense, rate: 50%)',
  });
  assert.deepEqual(p.diagnostics, []);
  assert.equal(p.files.length, 3);
  assert.deepEqual(keys(compileOk(PRELUDE + 'probe a = accuracy(dense, on: d)\nmask m = magnitude(dense, rate: 50%)')), keys(p));
});

test('bare enum values and bare schedules are accepted where the schema allows them', () => {
  const p = compileOk(PRELUDE.replace('sgd(lr: 0.1, batch: 60)', 'sgd(lr: 0.1, batch: 60, decay: cosine, warmup: 1 epoch)'));
  const train = p.stages.find((s) => s.kind === 'train')!;
  assert.deepEqual((train.params.optimizer as { decay: unknown }).decay, { op: 'cosine', version: 1, final: 0 });
  assert.equal((train.params.optimizer as { warmup: unknown }).warmup, 24);
});

test('step decay at epochs is converted with the run\'s data', () => {
  const p = compileOk(PRELUDE.replace('sgd(lr: 0.1, batch: 60)', 'sgd(lr: 0.1, batch: 60, decay: step(at: [5 epochs, 8 epochs], factor: 0.5))'));
  const train = p.stages.find((s) => s.kind === 'train')!;
  assert.deepEqual((train.params.optimizer as { decay: unknown }).decay, { op: 'step', version: 1, at: [120, 192], factor: 0.5 });
});

test('a loop over a param holding a list', () => {
  const p = compileOk(`param seeds = [3, 4]\n${PRELUDE}for s in seeds { init w[s] = kaiming_normal(net, seed: s) }\nprobe k = sparsity(w)`);
  assert.deepEqual(p.probes[0]!.rows.map((r) => r.index), [{ s: 3 }, { s: 4 }]);
});

test('run members: .mask, .start, .final; dataset members .train and .test', () => {
  const p = compileOk(`${PRELUDE}mask m = magnitude(dense, rate: 50%)
train t = fit(rewind(dense @ 24 steps, mask: m), like: dense)
probe same_mask = mask_overlap(t.mask, m)
probe start = weight_distance(t.start, t.final)`);
  assert.equal(p.probes.length, 2);
  const rewind = p.stages.find((s) => s.kind === 'rewind')!;
  assert.equal(p.stageByKey.get(p.probes.find((x) => x.name === 'start')!.rows[0]!.stage)!.inputs.a, rewind.key);
});

test('an indexed declaration that is also declared without an index is an error', () => {
  const found = errors(`${PRELUDE}train t = dense\ntrain t[1] = dense`);
  assert.equal(found.length, 1);
  assert.match(found[0]!.message, /declared with 1 index here but with 0 elsewhere/);
});

test('a loop variable may not hide a param', () => {
  const found = errors(`param level = 1\n${PRELUDE}for level in 1..2 { }`);
  assert.match(found[0]!.message, /loop variable 'level' hides a param/);
});

test('same declaration names in two files are a duplicate', () => {
  const p = compileText(`import "b.ltx"\n${PRELUDE}`, [], { 'b.ltx': 'model net = mlp(input: 64, classes: 10)' });
  assert.equal(p.diagnostics.length, 1);
  assert.match(p.diagnostics[0]!.message, /net is declared twice/);
});

test('a program that uses nothing it declares still compiles every declared computation', () => {
  assert.ok(stagesOf(compileOk(PRELUDE), 'dense').length === 1);
});

test('quantities scale by numbers and add within one unit', () => {
  const a = compileOk(`${PRELUDE}mask m = magnitude(dense @ 2 * 24 steps + 2 steps, rate: 50%)`);
  assert.deepEqual(a.stages.filter((s) => s.kind === 'train').map((s) => s.params.to), [50, 240]);
  const mixed = errors(`${PRELUDE}mask m = magnitude(dense @ 1 epoch + 2 steps, rate: 50%)`);
  assert.match(mixed[0]!.message, /'\+' cannot add epochs and steps: .*write the length in one unit/);
});

test('a teacher dataset compiles, and its sizes convert epochs', () => {
  const p = compileOk(`model small = mlp(input: 8, hidden: [16], classes: 1)
dataset d = teacher(small, n: 500, seed: 3)
init w = kaiming_normal(small)
optimizer o = adam(lr: 1e-2, batch: 50)
train t = fit(w, data: d, optimizer: o, steps: 2 epochs)`);
  assert.equal(p.stages.find((s) => s.kind === 'train')!.params.to, 16);
});

test('records name layers whose names hold dots, dotted or quoted', () => {
  const p = compileOk(`${PRELUDE}model rn = resnet(depth: 8, width: 4, input: [8, 8, 1], classes: 10)
init w = kaiming_normal(rn, seed: 0)
mask m = magnitude(w, rate: 20%, rates: {stage1.block1.conv1: 50%, "stage2.block1.conv1": 30%})`);
  const mask = p.stages.find((s) => s.kind === 'mask')!;
  assert.deepEqual(mask.params.rates, { 'stage1.block1.conv1': 0.5, 'stage2.block1.conv1': 0.3 });
});

test('a loop over strings indexes declarations by them; rows carry the string', () => {
  const p = compileOk(`${PRELUDE}for act in ["tanh", "relu"] {
  model n[act] = mlp(input: 64, hidden: [32], classes: 10, activation: act)
  train t[act] = fit(kaiming_normal(n[act], seed: 0), data: d, optimizer: opt, steps: 24 steps)
}
probe acc = accuracy(t, on: d.test)
probe relu = accuracy(t["relu"], on: d.test)`);
  assert.deepEqual(p.probes.find((t) => t.name === 'acc')!.rows.map((r) => [r.index, r.subject]), [[{ act: 'relu' }, 't["relu"]'], [{ act: 'tanh' }, 't["tanh"]']]);
  assert.equal(p.probes.find((t) => t.name === 'relu')!.rows[0]!.stage, p.probes.find((t) => t.name === 'acc')!.rows[0]!.stage);
});

test('a family indexed by strings keeps the order of its loop', () => {
  const p = compileOk(`${PRELUDE}for act in ["tanh", "relu"] { init w[act] = kaiming_normal(mlp(input: 64, hidden: [32], classes: 10, activation: act), seed: 0) }
probe md = mask_distance(w)`);
  assert.deepEqual(p.probes[0]!.rows.map((r) => r.subject), ['w["tanh"] → w["relu"]']);
});
