// rewind is exactly checkpoint ⊙ mask at the checkpoint's step; reinit is a fresh init ⊙ mask at step 0.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Checkpoint, Mask } from '../../core/artifacts.ts';
import { StageFailure } from '../../stdlib/stage-support/failure.ts';
import {
  bitsOf, blobs, initCheckpoint, mlp, runCheckpoint, runMask, sgdMomentum, trainParams, useCpuBackend,
} from '../training/helpers.ts';

before(useCpuBackend);

const net = mlp(6, [8], 3);

function assertIsMasked(out: Checkpoint, source: Map<string, { data: Float32Array }>, mask: Mask): void {
  for (const [name, w] of source) {
    const m = mask.masks.get(name);
    const expected = m ? Float32Array.from(w.data, (v, i) => (m.data[i] ? v : 0)) : w.data;
    assert.deepEqual(bitsOf(out.weights.get(name)!.data), bitsOf(expected), name);
  }
}

test('rewind gives exactly weights ⊙ mask, at the same step, with the mask and no optimizer state', async () => {
  const init = await initCheckpoint(net);
  const trained = await runCheckpoint('train', trainParams(net, blobs, sgdMomentum, 20, 0, 8), { start: init });
  const mask = await runMask('magnitude', { rate: 0.6, scope: 'layerwise', skip: [], rates: {} }, { weights: trained });
  const rewound = await runCheckpoint('rewind', {}, { weights: trained, mask });
  assert.equal(rewound.step, 8);
  assert.equal(rewound.mask, mask);
  assert.equal(rewound.optimizer, undefined);
  assert.deepEqual([...rewound.weights.keys()], [...trained.weights.keys()]);
  assertIsMasked(rewound, trained.weights, mask);
});

test('reinit draws the init scheme with the new seed, then applies the mask, at step 0', async () => {
  const mask = await runMask('magnitude', { rate: 0.5, scope: 'global', skip: [], rates: {} }, { weights: await initCheckpoint(net) });
  const out = await runCheckpoint('reinit', { model: net, scheme: 'kaiming_normal', seed: 9 }, { mask });
  const fresh = await initCheckpoint(net, 9);
  assert.equal(out.step, 0);
  assert.equal(out.mask, mask);
  assertIsMasked(out, fresh.weights, mask);
});

test('a mask made for another model cannot be applied', async () => {
  const mask = await runMask('magnitude', { rate: 0.5, scope: 'global', skip: [], rates: {} }, { weights: await initCheckpoint(mlp(6, [9], 3)) });
  await assert.rejects(runCheckpoint('rewind', {}, { weights: await initCheckpoint(net), mask }), (e) => e instanceof StageFailure && /rewind: the mask was made for mlp/.test(e.cause));
});
