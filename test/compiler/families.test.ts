// Families wherever the reference promises them: lists `[a, b]`, `RUN @ every N` in every probe argument
// that takes weights, one row per member.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CompiledProgram } from '../../compiler/compile.ts';
import { compileOk, PRELUDE } from './helpers.ts';

const table = (p: CompiledProgram, name: string) => p.probes.find((t) => t.name === name)!;

test('a list of runs is a family: one row per item, at its position', () => {
  const p = compileOk(`${PRELUDE}control rnd = fit(reinit(theta0, mask: magnitude(dense, rate: 50%), seed: 1), like: dense)
probe acc = accuracy([dense, rnd], on: d.test)`);
  assert.deepEqual(table(p, 'acc').rows.map((r) => [r.index, r.subject]), [[{ item: 0 }, 'dense'], [{ item: 1 }, 'rnd']]);
});

test('two lists are paired item by item', () => {
  const p = compileOk(`${PRELUDE}probe wd = weight_distance([dense, dense @ 24 steps], [theta0, theta0])`);
  assert.deepEqual(table(p, 'wd').rows.map((r) => r.subject), ['dense, theta0', 'dense @ 24 steps, theta0']);
});

test('a list of masks is a family for sparsity', () => {
  const p = compileOk(`${PRELUDE}mask a = magnitude(dense, rate: 50%)\nmask b = magnitude(dense, rate: 80%)\nprobe s = sparsity([a, b])`);
  assert.deepEqual(table(p, 's').rows.map((r) => r.index), [{ item: 0 }, { item: 1 }]);
});

test('a list item written as a declared member carries that member\'s coordinates', () => {
  const p = compileOk(`${PRELUDE}for s in [1, 2] { train t[s] = fit(theta0, like: dense, order: s) }
probe acc = accuracy([t[2], t[1]], on: d.test)`);
  assert.deepEqual(table(p, 'acc').rows.map((r) => r.index), [{ item: 0, s: 2 }, { item: 1, s: 1 }]);
});

test('a family in a list contributes its members, with their coordinates', () => {
  const p = compileOk(`${PRELUDE}lottery imp = imp(dense, rounds: 1, rate: 50%)\nprobe acc = accuracy([imp, theta0], on: d.test)`);
  assert.deepEqual(table(p, 'acc').rows.map((r) => r.index), [{ item: 0, level: 0 }, { item: 0, level: 1 }, { item: 1 }]);
});

test('instability over RUN @ every N gives one row per rewind step, the run\'s last checkpoint left out', () => {
  const p = compileOk(`${PRELUDE}mask m = magnitude(dense, rate: 50%)
probe lmc = instability(dense @ every 120 steps, mask: m, on: d.test)`);
  const rows = table(p, 'lmc').rows;
  assert.deepEqual(rows.map((r) => r.index), [{ step: 0 }, { step: 120 }]);
  const copies = rows.map((r) => Object.values(p.stageByKey.get(r.stage)!.inputs).map((k) => p.stageByKey.get(k)!));
  assert.deepEqual(copies.map((c) => c.map((s) => [s.runPoint?.from, s.params.to])), [[[0, 240], [0, 240]], [[120, 240], [120, 240]]]);
});

test('instability at an init member of RUN @ every N follows that run\'s recipe without like:', () => {
  const p = compileOk(`${PRELUDE}mask m = magnitude(dense, rate: 50%)
probe lmc = instability(dense @ every 240 steps, mask: m, on: d.test)`);
  const row = table(p, 'lmc').rows[0]!;
  const dense = p.stages.find((s) => s.kind === 'train' && s.name === 'dense')!;
  const copy = p.stageByKey.get(Object.values(p.stageByKey.get(row.stage)!.inputs)[0]!)!;
  assert.deepEqual(copy.params.optimizer, dense.params.optimizer);
  assert.deepEqual(copy.params.data, dense.params.data);
  assert.equal(copy.params.to, dense.params.to);
});

test('instability pairs a family of checkpoints with a family of masks', () => {
  const p = compileOk(`${PRELUDE}lottery imp = imp(dense, rounds: 2, rate: 50%, rewind: 24 steps)
probe lmc = instability([dense @ 24 steps, dense @ 24 steps], mask: [imp[1], imp[2]], on: d.test)`);
  assert.equal(table(p, 'lmc').rows.length, 2);
});

test('linearization takes a family of linearization points', () => {
  const p = compileOk(`${PRELUDE}probe lin = linearization(dense @ every 120 steps, dense, on: d.test)`);
  assert.deepEqual(table(p, 'lin').rows.map((r) => r.index), [{ step: 0 }, { step: 120 }, { step: 240 }]);
});
