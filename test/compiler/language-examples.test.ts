// LANGUAGE.md's own examples: the long IMP loop and its one-line sugar compile to identical stages.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compileOk, keys, stagesOf } from './helpers.ts';

// LANGUAGE.md's long example, verbatim (examples/imp-lenet-fashion.ltx grew controls and levels beyond it).
const LONG = readFileSync(fileURLToPath(new URL('../lang/fixtures/imp-long-form.ltx', import.meta.url)), 'utf8');

const SUGAR = `param seed = 0
dataset fashion = fashion_mnist()
model lenet = mlp(input: 784, hidden: [300, 100], classes: 10)
init theta0 = kaiming_normal(lenet, seed: seed)
optimizer adam = adam(lr: 1.2e-3, batch: 60)
train dense = fit(theta0, data: fashion.train, optimizer: adam, steps: 5000 steps, order: seed)
lottery imp = imp(dense, rounds: 10, rate: 20%, scope: global, rewind: 500 steps, skip: ["output"])
probe acc = accuracy(imp, on: fashion.test)         # one row per level
`;

test('the IMP example compiles: dense split at the rewind step, ten masks, ten retrains, probes', () => {
  const p = compileOk(LONG);
  const count = (kind: string) => p.stages.filter((s) => s.kind === kind).length;
  // dense 0→500, 500→5000; ten levels from 500; reinit control; two LMC copies from 500.
  assert.equal(count('train'), 2 + 10 + 1 + 2);
  assert.equal(count('mask'), 10);
  // The LMC probe starts from rewind(dense @ 500 steps, mask: m[5]): the very stage level 5 starts from.
  assert.equal(count('rewind'), 10);
  assert.equal(count('reinit'), 1);
  assert.equal(count('init'), 1);
  assert.equal(count('probe'), 10 + 1 + 1);
});

test('the sugar form of LANGUAGE.md compiles to the identical stages and hashes', () => {
  const long = compileOk(LONG);
  const sugar = compileOk(SUGAR);
  const levels = stagesOf(sugar, 'imp');
  assert.equal(levels.length, 11);
  levels.forEach((key, level) => assert.equal(key, stagesOf(long, `t[${level}]`)[0]));
  const accLong = [...Array(10).keys()].map((i) => stagesOf(long, `acc[${i + 1}]`)[0]);
  const accSugar = sugar.probes.find((t) => t.name === 'acc')!.rows;
  assert.deepEqual(accSugar.slice(1).map((r) => r.stage), accLong);
  assert.deepEqual(accSugar.map((r) => r.index), [...Array(11).keys()].map((level) => ({ level })));
  for (const key of keys(sugar)) if (sugar.stageByKey.get(key)!.kind !== 'probe' || key !== accSugar[0]!.stage) assert.ok(keys(long).has(key));
});

test('the instability probe trains two copies from the rewound checkpoint with different data orders', () => {
  const p = compileOk(LONG);
  const lmc = p.stageByKey.get(p.probes.find((t) => t.name === 'lmc')!.rows[0]!.stage)!;
  assert.deepEqual(Object.keys(lmc.inputs).sort(), ['copies0', 'copies1']);
  const copies = Object.values(lmc.inputs).map((k) => p.stageByKey.get(k)!);
  assert.notEqual(copies[0]!.params.order, copies[1]!.params.order);
  assert.deepEqual(copies.map((c) => [c.runPoint!.from, c.params.to]), [[500, 5000], [500, 5000]]);
  const start = p.stageByKey.get(copies[0]!.inputs.start!)!;
  assert.equal(start.kind, 'rewind');
  assert.equal(start.inputs.mask, stagesOf(p, 'm[5]')[0]);
  assert.equal(copies[0]!.inputs.start, p.stageByKey.get(stagesOf(p, 't[5]')[0]!)!.inputs.start);
});
