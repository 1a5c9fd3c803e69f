// Train stages run together as replicates (stdlib/training/train-batching.ts): each member gets the
// bytes it gets alone — seeds, data orders, a ticket, its reinit and random-mask controls — and a
// member whose loss becomes NaN fails alone while the others commit.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Json } from '../../core/json.ts';
import type { StageProgress } from '../../core/op.ts';
import { encodeArtifact } from '../../runtime/artifact-codec.ts';
import { StageFailure } from '../../stdlib/stage-support/failure.ts';
import { adamCosine, context, digits, initCheckpoint, runCheckpoint, sgdMomentum, stage, trainParams, useCpuBackend } from './helpers.ts';
import { batching, calls, fulfilled, net, starts, STEPS } from './replicates-helpers.ts';

before(useCpuBackend);

for (const [name, optimizer] of [['sgd, nesterov momentum, weight decay, step decay', sgdMomentum], ['adam with warmup and cosine decay', adamCosine]] as const) {
  test(`replicates trained together give each member the bytes it gets alone: ${name}`, async () => {
    const members = await starts();
    const together = await batching.implementation(calls(members, optimizer));
    assert.equal(together.length, members.length);
    for (const [i, { start, order }] of members.entries()) {
      const alone = await runCheckpoint('train', trainParams(net, digits, optimizer, STEPS, STEPS, order), { start });
      assert.deepEqual(encodeArtifact(fulfilled(together[i]!)), encodeArtifact(alone), `member ${i}`);
    }
  });
}

test('a member whose loss becomes NaN fails alone; the others get their bytes', async () => {
  const members = await starts();
  const broken = structuredClone(members[1]!.start);
  broken.weights.get('layer1.weight')!.data[0] = Number.NaN;
  const withBroken = [members[0]!, { start: broken, order: 1 }, members[2]!];
  const together = await batching.implementation(calls(withBroken, sgdMomentum));
  assert.equal(together[1]!.status, 'rejected');
  const reason = (together[1] as PromiseRejectedResult).reason;
  assert.ok(reason instanceof StageFailure && /loss became NaN at step 0/.test(reason.cause), String(reason));
  for (const i of [0, 2]) {
    const { start, order } = withBroken[i]!;
    const alone = await runCheckpoint('train', trainParams(net, digits, sgdMomentum, STEPS, STEPS, order), { start });
    assert.deepEqual(encodeArtifact(fulfilled(together[i]!)), encodeArtifact(alone), `member ${i}`);
  }
});

test('each member reports its own progress, ending at its segment\'s length', async () => {
  const members = (await starts()).slice(0, 2);
  const log: StageProgress[][] = [];
  await batching.implementation(calls(members, sgdMomentum, log));
  for (const reports of log) {
    assert.deepEqual(reports[0], { step: 0, total: STEPS });
    assert.equal(reports.at(-1)!.step, STEPS);
    assert.ok(Number.isFinite(reports.at(-1)!.loss));
  }
});

test('the group rule: one recipe at one start step, whatever the data order; another end step or optimizer is another group', () => {
  const key = (optimizer: { [key: string]: Json }, to: number, order: number) => batching.groupKey(stage('train', trainParams(net, digits, optimizer, STEPS, to, order)));
  assert.equal(key(sgdMomentum, STEPS, 0), key(sgdMomentum, STEPS, 7));
  assert.notEqual(key(sgdMomentum, STEPS, 0), key(sgdMomentum, 10, 0));
  assert.notEqual(key(sgdMomentum, STEPS, 0), key(adamCosine, STEPS, 0));
});

test('the group rule: runs of a model without a stacked forward (a conv net) do not group, and keep a worker each', () => {
  const conv = { op: 'conv', version: 1, params: { input: [8, 8, 1], channels: [[3]], kernel: 3, hidden: [8], classes: 10, activation: 'relu' } };
  assert.equal(batching.groupKey(stage('train', trainParams(conv, digits, sgdMomentum, STEPS, STEPS, 0))), undefined);
  assert.notEqual(batching.groupKey(stage('train', trainParams(net, digits, sgdMomentum, STEPS, STEPS, 0))), undefined);
});

test('a model without a stacked forward (a conv net) trains as replicates member by member, with the bytes of each alone', async () => {
  const conv = { op: 'conv', version: 1, params: { input: [8, 8, 1], channels: [[3]], kernel: 3, hidden: [8], classes: 10, activation: 'relu' } };
  const members = [0, 1].map((seed) => ({ seed, order: seed + 5 }));
  const calls = await Promise.all(members.map(async ({ seed, order }, i) => ({
    stage: stage('train', trainParams(conv, digits, sgdMomentum, 6, 6, order), { start: `start-${i}` }),
    inputs: { start: await initCheckpoint(conv, seed) },
    ctx: context(),
  })));
  const together = await batching.implementation(calls);
  for (const [i, call] of calls.entries()) {
    const alone = await runCheckpoint('train', call.stage.params, call.inputs);
    assert.deepEqual(encodeArtifact(fulfilled(together[i]!)), encodeArtifact(alone), `member ${i}`);
  }
});
