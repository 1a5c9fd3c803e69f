// init: the stdlib initializer's weights as a checkpoint at step 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialize } from '../../stdlib/inits/index.ts';
import { modelLayout } from '../../stdlib/models/layout.ts';
import { StageFailure } from '../../stdlib/stage-support/failure.ts';
import { bitsOf, mlp, runCheckpoint } from '../training/helpers.ts';

const net = mlp(4, [3], 2);

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
