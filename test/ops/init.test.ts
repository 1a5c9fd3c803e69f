// init: the stdlib initializer's weights as a checkpoint at step 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLibrary } from '../../core/library.ts';
import { defineInit } from '../../stdlib/inits/define.ts';
import { initialize } from '../../stdlib/inits/index.ts';
import { standardModules } from '../../stdlib/library.ts';
import { modelLayout } from '../../stdlib/models/layout.ts';
import { StageFailure } from '../../stdlib/stage-support/failure.ts';
import { bitsOf, context, mlp, runCheckpoint } from '../training/helpers.ts';

const net = mlp(4, [3], 2);

/** An init scheme the standard library does not have: kernels from U(±0.001). */
const tiny = defineInit({ name: 'tiny_uniform', summary: 'Kernels from U(±0.001), whatever their fans.', version: 1, distribution: () => ({ kind: 'uniform', bound: 0.001 }) });

test('init is a dense checkpoint at step 0 with every parameter in layout order', async () => {
  const out = await runCheckpoint('init', { model: net, scheme: 'xavier_uniform', seed: 3 });
  const layout = modelLayout(net.op, net.params);
  const expected = initialize(layout, 'xavier_uniform', { seed: 3 });
  assert.equal(out.step, 0);
  assert.equal(out.mask, undefined);
  assert.equal(out.optimizer, undefined);
  assert.deepEqual(out.model, net);
  assert.deepEqual([...out.weights.keys()], layout.params.map((p) => p.name));
  for (const spec of layout.params) {
    assert.deepEqual(out.weights.get(spec.name)!.shape, spec.shape);
    assert.deepEqual(bitsOf(out.weights.get(spec.name)!.data), bitsOf(expected.get(spec.name)!));
  }
});

test('normal(std) passes its std to the initializer', async () => {
  const out = await runCheckpoint('init', { model: mlp(400, [300], 2), scheme: 'normal', seed: 0, std: 0.5 });
  const w = out.weights.get('layer1.weight')!.data;
  const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
  assert.ok(Math.abs(std - 0.5) < 0.01, `std ${std}`);
});

test('an unknown scheme or an impossible model fails the stage', async () => {
  await assert.rejects(runCheckpoint('init', { model: net, scheme: 'lecun', seed: 0 }), StageFailure);
  await assert.rejects(runCheckpoint('init', { model: mlp(0, [3], 2), scheme: 'normal', seed: 0 }), (e) => e instanceof StageFailure && /^model mlp:/.test(e.cause));
});

test('init draws with the scheme of the library the stage is given', async () => {
  const library = createLibrary([...standardModules, tiny]);
  const out = await runCheckpoint('init', { model: net, scheme: 'tiny_uniform', seed: 0 }, {}, context({ library }));
  const kernel = out.weights.get('layer1.weight')!.data;
  assert.ok(kernel.every((w) => Math.abs(w) <= 0.001) && kernel.some((w) => w !== 0), `layer1.weight ${kernel}`);
  await assert.rejects(runCheckpoint('init', { model: net, scheme: 'tiny_uniform', seed: 0 }), (e) => e instanceof StageFailure && e.cause === 'parameter \'scheme\': the library ltx runs with has no init scheme "tiny_uniform"');
});
