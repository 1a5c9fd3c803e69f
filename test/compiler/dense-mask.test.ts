// A run trained without a mask trains under the all-ones mask (OpenLTH's level 0), so level 0 of a
// lottery is written like every other level.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileOk, PRELUDE } from './helpers.ts';

const LOTTERY = `${PRELUDE}lottery imp = imp(dense, rounds: 2, rate: 50%)\n`;

test('a run without a mask has .mask: the mask of its init that removes nothing', () => {
  const p = compileOk(`${PRELUDE}mask full = dense.mask`);
  const stage = p.stageByKey.get(p.declarations.find((d) => d.label === 'full')!.stages[0]!)!;
  assert.equal(stage.kind, 'mask');
  assert.equal(stage.params.rate, 0);
  assert.equal(p.stageByKey.get(stage.inputs.weights!)!.kind, 'init');
});

test('imp[level].mask is written over 0..rounds', () => {
  const p = compileOk(`${LOTTERY}for level in 0..2 { probe s[level] = sparsity(imp[level].mask) }`);
  assert.deepEqual(p.probes[0]!.rows.map((r) => r.index), [{ level: 0 }, { level: 1 }, { level: 2 }]);
});

test('mask_overlap of a lottery with itself includes level 0', () => {
  const p = compileOk(`${LOTTERY}probe o = mask_overlap(imp, imp)`);
  assert.deepEqual(p.probes[0]!.rows.map((r) => r.index), [{ level: 0 }, { level: 1 }, { level: 2 }]);
});

test('a reinit control is written at every level, level 0 included', () => {
  const p = compileOk(`${LOTTERY}for level in 0..2 { control c[level] = fit(reinit(theta0, mask: imp[level].mask, seed: 1), like: dense) }`);
  assert.equal(p.stages.filter((s) => s.kind === 'reinit').length, 3);
});

test('the all-ones mask of one init is one stage, however many runs from it ask', () => {
  const p = compileOk(`${PRELUDE}train other = fit(theta0, like: dense, order: 5)\nprobe o = mask_overlap(dense, other @ 24 steps)`);
  const row = p.stageByKey.get(p.probes[0]!.rows[0]!.stage)!;
  assert.equal(row.inputs.a, row.inputs.b);
});

test('probes over a whole lottery include level 0', () => {
  const p = compileOk(`${LOTTERY}probe acc = accuracy(imp, on: d)\nprobe s = sparsity(imp)\nprobe w = weight_distance(imp, theta0)`);
  for (const table of p.probes) assert.deepEqual(table.rows.map((r) => r.index.level), [0, 1, 2], table.name);
});
