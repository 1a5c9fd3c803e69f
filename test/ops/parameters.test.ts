// Parameter defaults live only in the op's schema: the compiler writes every parameter into the stage,
// and an implementation given a stage without one fails naming it instead of making up a default.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Json } from '../../core/json.ts';
import type { Artifact } from '../../core/artifacts.ts';
import { MissingParameter } from '../../stdlib/stage-support/params.ts';
import { StageFailure } from '../../stdlib/stage-support/failure.ts';
import { blobs, initCheckpoint, mlp, runStage, testSplit, trainParams, sgdMomentum, trainSplit, useCpuBackend } from '../training/helpers.ts';

before(useCpuBackend);

const net = mlp(6, [4], 3);

interface Case {
  op: string;
  /** Every parameter, as the compiler writes them. */
  params: { [key: string]: Json };
  inputs(): Promise<Record<string, Artifact>>;
}

const init = () => initCheckpoint(net);
const mask = async () => runStage('magnitude', { rate: 0.5, scope: 'global', skip: [], rates: {} }, { weights: await init() });
const cases: Case[] = [
  { op: 'init', params: { model: net, scheme: 'kaiming_normal', seed: 0 }, inputs: async () => ({}) },
  { op: 'train', params: trainParams(net, blobs, sgdMomentum, 4, 0, 4), inputs: async () => ({ start: await init() }) },
  { op: 'magnitude', params: { rate: 0.5, scope: 'global', skip: [], rates: {} }, inputs: async () => ({ weights: await init() }) },
  { op: 'random_mask', params: { seed: 0 }, inputs: async () => ({ like: await mask() }) },
  { op: 'reinit', params: { model: net, scheme: 'kaiming_normal', seed: 1 }, inputs: async () => ({ mask: await mask() }) },
  { op: 'mask_distance', params: { sparsity: 0.5, scope: 'global', skip: [] }, inputs: async () => ({ a: await init(), b: await init() }) },
  { op: 'instability', params: { on: testSplit(blobs), points: 3 }, inputs: async () => ({ copies0: await init(), copies1: await init() }) },
  { op: 'linearization', params: { on: testSplit(blobs), samples: 8 }, inputs: async () => ({ init: await init(), x: await init() }) },
  { op: 'kernel_distance', params: { on: testSplit(blobs), samples: 4, seed: 0 }, inputs: async () => ({ a: await init(), b: await init() }) },
  {
    op: 'llc', params: { on: trainSplit(blobs), epsilon: 1e-3, gamma: 100, chains: 1, draws: 2, burnin: 0, batch: 8, seed: 0 },
    inputs: async () => ({ x: await init() }),
  },
];

test('the complete stages of the cases compute', async () => {
  for (const { op, params, inputs } of cases) await runStage(op, params, await inputs());
});

for (const { op, params, inputs } of cases) {
  test(`${op}: a stage without one of its parameters fails naming it`, async () => {
    for (const key of Object.keys(params)) {
      const { [key]: _left, ...rest } = params;
      await assert.rejects(runStage(op, rest, await inputs()), (error: unknown) => {
        assert.ok(error instanceof MissingParameter, `${op} without '${key}': ${String(error)}`);
        assert.ok(!(error instanceof StageFailure), 'a fault of ltx, not of the program');
        assert.match(error.message, new RegExp(`no '${key}' parameter`));
        return true;
      });
    }
  });
}
