// On the wasm backend too (its own dense-layer kernels, XNNPACK products), replicates trained together
// give each member the bytes it gets alone.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeArtifact } from '../../runtime/artifact-codec.ts';
import { runCheckpoint, sgdMomentum, trainParams, digits } from '../training/helpers.ts';
import { batching, calls, fulfilled, net, starts, STEPS } from '../training/replicates-helpers.ts';
import { useBackend } from './helpers.ts';

before(() => useBackend('wasm'));

test('on wasm, replicates trained together give each member the bytes it gets alone (seeds, ticket, reinit and random-mask controls)', async () => {
  const members = await starts();
  const together = await batching.implementation(calls(members, sgdMomentum));
  for (const [i, { start, order }] of members.entries()) {
    const alone = await runCheckpoint('train', trainParams(net, digits, sgdMomentum, STEPS, STEPS, order), { start });
    assert.deepEqual(encodeArtifact(fulfilled(together[i]!)), encodeArtifact(alone), `member ${i}`);
  }
});
