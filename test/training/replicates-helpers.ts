// Shared by the replicate tests (cpu and wasm): five starts that a lottery sweep trains side by side,
// and the calls of the train stages that train them.
import type { Json } from '../../core/json.ts';
import type { Artifact, Checkpoint } from '../../core/artifacts.ts';
import type { StageCall, StageProgress } from '../../core/op.ts';
import { standardLibrary } from '../../stdlib/library.ts';
import { context, digits, initCheckpoint, mlp, runCheckpoint, runMask, stage, trainParams } from './helpers.ts';

export const net = mlp(64, [24, 16], 10);
export const STEPS = 25;
export const batching = standardLibrary.batchingFor!('train')!;

/** Two seeds, a ticket (rewound, masked), its reinit control and a random-mask control: five starts. */
export async function starts(): Promise<{ start: Checkpoint; order: number }[]> {
  const a = await initCheckpoint(net, 0);
  const b = await initCheckpoint(net, 1);
  const mask = await runMask('magnitude', { rate: 0.6, scope: 'layerwise', skip: ['output'], rates: {} }, { weights: a });
  const random = await runMask('random_mask', { seed: 4 }, { like: mask });
  const ticket = await runCheckpoint('rewind', {}, { weights: a, mask });
  const reinit = await runCheckpoint('reinit', { model: net as unknown as Json, scheme: 'kaiming_normal', seed: 9 }, { mask });
  const randomTicket = await runCheckpoint('rewind', {}, { weights: a, mask: random });
  return [{ start: a, order: 0 }, { start: b, order: 1 }, { start: ticket, order: 0 }, { start: reinit, order: 2 }, { start: randomTicket, order: 3 }];
}

export function calls(members: { start: Checkpoint; order: number }[], optimizer: { [key: string]: Json }, log?: StageProgress[][]): StageCall[] {
  return members.map(({ start, order }, i) => ({
    stage: stage('train', trainParams(net, digits, optimizer, STEPS, STEPS, order), { start: `start-${i}` }),
    inputs: { start },
    ctx: context(log ? { progressLog: (log[i] = []) } : {}),
  }));
}

export function fulfilled(result: PromiseSettledResult<Artifact>): Artifact {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}

