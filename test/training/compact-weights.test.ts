// A layer that runs the sparse kernels trains compact: its kept weights and their optimizer slots
// alone. The checkpoint it gives must carry the bits of the same segment trained masked dense, for
// every optimizer, from a fresh start and from a resumed one; a start whose pruned weights or slots
// are not zero trains masked dense.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Checkpoint, TensorValue } from '../../core/artifacts.ts';
import type { Json } from '../../core/json.ts';
import { patternOf } from '../../stdlib/nn/kernels/sparse-linear.ts';
import { compactParameter } from '../../stdlib/training/compact-weights.ts';
import { segmentOf } from '../../stdlib/training/train-stage.ts';
import { trainSegment } from '../../stdlib/training/trainer.ts';
import { useBackend } from '../backends/helpers.ts';
import { optimizerDescriptor, optimizerSettings } from './descriptors.ts';
import { bitsOf, context, digits, initCheckpoint, mlp, runCheckpoint, runMask, stage, trainParams } from './helpers.ts';

const net = mlp(64, [32, 16], 10);

const optimizers = optimizerSettings;

/** A level keeping 20% of the weights (global magnitude pruning), rewound to the init. */
async function level(): Promise<Checkpoint> {
  const init = await initCheckpoint(net);
  const mask = await runMask('magnitude', { rate: 0.8, scope: 'global', skip: [], rates: {} }, { weights: init });
  return runCheckpoint('rewind', {}, { weights: init, mask });
}

async function train(start: Checkpoint, optimizer: { [key: string]: Json }, to: number, compactSparse: boolean): Promise<Checkpoint> {
  const { op, ...rest } = optimizer;
  const params = trainParams(net, digits, { ...optimizerDescriptor(op as string, rest), batch: 16 }, 12, to);
  const segment = await segmentOf(stage('train', params, { start: 'start' }), { start }, context());
  return trainSegment({ ...segment, compactSparse });
}

function assertSameBits(actual: Map<string, TensorValue>, expected: Map<string, TensorValue>, what: string): void {
  assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort(), what);
  for (const [name, value] of expected) {
    assert.deepEqual(actual.get(name)!.shape, value.shape, `${what} ${name}`);
    assert.deepEqual(bitsOf(actual.get(name)!.data), bitsOf(value.data), `${what} ${name}`);
  }
}

for (const [name, optimizer] of Object.entries(optimizers)) {
  test(`a sparse level trained compact gives the masked dense bits, fresh and resumed: ${name}`, async () => {
    await useBackend('wasm');
    const start = await level();
    const half = await train(start, optimizer, 6, false);
    for (const [from, dense] of [[start, half], [half, await train(half, optimizer, 12, false)]] as const) {
      const compact = await train(from, optimizer, dense.step, true);
      assertSameBits(compact.weights, dense.weights, `weights at ${dense.step}`);
      assertSameBits(compact.optimizer!.slots, dense.optimizer!.slots, `slots at ${dense.step}`);
    }
  });
}

test('a parameter trains compact only when its pruned weights are zeros and its pruned slots +0', () => {
  const pattern = patternOf([1, 0, 0, 1], 2, 2);
  const value = (...data: number[]): TensorValue => ({ shape: [2, 2], data: Float32Array.from(data) });
  assert.deepEqual([...compactParameter(pattern, value(5, 0, -0, 7), [undefined, value(1, 0, 0, 2)])!.indices], [0, 3]);
  assert.equal(compactParameter(pattern, value(5, 0.5, 0, 7), [undefined]), undefined, 'a pruned weight that is not zero');
  assert.equal(compactParameter(pattern, value(5, 0, 0, 7), [value(1, -0, 0, 2)]), undefined, 'a pruned slot of -0');
  assert.equal(compactParameter(pattern, value(5, 0, 0, 7), [value(1, 0, 1e-9, 2)]), undefined, 'a pruned slot carried from dense training');
});
