// On the wasm backend too (its own dense-layer kernels, XNNPACK products), replicates trained together
// give each member the bytes it gets alone.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeArtifact } from '../../runtime/artifact-codec.ts';
import { runCheckpoint, sgdMomentum, trainParams, digits } from '../training/helpers.ts';
import { batching, calls, fulfilled, net, starts, STEPS } from '../training/replicates-helpers.ts';
import { useBackend } from './helpers.ts';

before(() => useBackend('wasm'));

async function assertBytesAsAlone(rate: number): Promise<void> {
  const members = await starts(rate);
  const together = await batching.implementation(calls(members, sgdMomentum));
  for (const [i, { start, order }] of members.entries()) {
    const alone = await runCheckpoint('train', trainParams(net, digits, sgdMomentum, STEPS, STEPS, order), { start });
    assert.deepEqual(encodeArtifact(fulfilled(together[i]!)), encodeArtifact(alone), `member ${i}`);
  }
}

test('on wasm, replicates trained together give each member the bytes it gets alone (seeds, ticket, reinit and random-mask controls)', async () => {
  await assertBytesAsAlone(0.6);
});

test('on wasm, members at a level sparse enough for sparse kernels (20% kept) still get the bytes they get alone', async () => {
  await assertBytesAsAlone(0.8);
});
