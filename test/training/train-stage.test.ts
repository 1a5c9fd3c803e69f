// The train stage: exact resumption across splits, determinism, masks, failures and aborts.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { Json } from '../../core/json.ts';
import type { Checkpoint } from '../../core/artifacts.ts';
import type { StageProgress } from '../../core/op.ts';
import { decodeArtifact, encodeArtifact } from '../../runtime/artifact-codec.ts';
import { isAbortError, StageFailure } from '../../stdlib/stage-support/failure.ts';
import { learningRateAt, readOptimizerConfig } from '../../stdlib/optimizers/index.ts';
import {
  adamCosine, adamwCosine, bitsOf, blobs, context, digits, initCheckpoint, mlp, runCheckpoint, runMask, sgdMomentum,
  trainParams, useCpuBackend,
} from './helpers.ts';

before(useCpuBackend);

const net = mlp(6, [8], 3);
const STEPS = 30;

function assertSameBits(a: Checkpoint, b: Checkpoint): void {
  assert.equal(a.step, b.step);
  assert.deepEqual([...a.weights.keys()], [...b.weights.keys()]);
  for (const [name, w] of a.weights) assert.deepEqual(bitsOf(w.data), bitsOf(b.weights.get(name)!.data), name);
  assert.equal(a.optimizer?.updates, b.optimizer?.updates);
  assert.deepEqual([...(a.optimizer?.slots.keys() ?? [])], [...(b.optimizer?.slots.keys() ?? [])]);
  for (const [key, s] of a.optimizer?.slots ?? []) assert.deepEqual(bitsOf(s.data), bitsOf(b.optimizer!.slots.get(key)!.data), key);
}

async function trainSplitAndWhole(optimizer: { [key: string]: Json }, split: number): Promise<{ whole: Checkpoint; resumed: Checkpoint }> {
  const init = await initCheckpoint(net);
  const whole = await runCheckpoint('train', trainParams(net, blobs, optimizer, STEPS, STEPS), { start: init });
  const first = await runCheckpoint('train', trainParams(net, blobs, optimizer, STEPS, split), { start: init });
  // As between stages of a real run, the checkpoint at the split goes through the store's bytes.
  const stored = decodeArtifact(encodeArtifact(first)) as Checkpoint;
  const resumed = await runCheckpoint('train', trainParams(net, blobs, optimizer, STEPS, STEPS), { start: stored });
  return { whole, resumed };
}

test('a run split and resumed gives the bits of the unsplit run: sgd, nesterov momentum, weight decay, step decay', async () => {
  const { whole, resumed } = await trainSplitAndWhole(sgdMomentum, 13);
  assert.equal(whole.optimizer?.updates, STEPS);
  assertSameBits(resumed, whole);
});

test('a run split and resumed gives the bits of the unsplit run: adam with warmup and cosine decay', async () => {
  const { whole, resumed } = await trainSplitAndWhole(adamCosine, 7);
  assert.deepEqual([...whole.optimizer!.slots.keys()].slice(0, 2), ['m/layer1.weight', 'v/layer1.weight']);
  assertSameBits(resumed, whole);
});

test('a run split and resumed gives the bits of the unsplit run: adamw', async () => {
  const { whole, resumed } = await trainSplitAndWhole(adamwCosine, 19);
  assertSameBits(resumed, whole);
});

test('a run in one-step segments gives the bits of the unsplit run, whose steps gather their batches into the same buffers', async () => {
  // blobs has 120 training examples: at batch 16 every epoch ends with a batch of 8, shorter than the
  // buffers; the cpu backend keeps the very arrays its tensors are made from.
  const init = await initCheckpoint(net);
  const whole = await runCheckpoint('train', trainParams(net, blobs, adamCosine, STEPS, STEPS), { start: init });
  let stepwise = init;
  for (let to = 1; to <= STEPS; to++) stepwise = await runCheckpoint('train', trainParams(net, blobs, adamCosine, STEPS, to), { start: stepwise });
  assertSameBits(stepwise, whole);
});

test('a trained checkpoint carries its run\'s curve: every step\'s loss and learning rate, the same when the run is split', async () => {
  const { whole, resumed } = await trainSplitAndWhole(adamCosine, 7);
  const curve = whole.loss!.curve!;
  assert.deepEqual(curve.step, Array.from({ length: STEPS }, (_, t) => t + 1));
  assert.equal(curve.loss[0], whole.loss!.initial, 'the first point is the first step\'s loss');
  assert.deepEqual(curve.lr, Array.from({ length: STEPS }, (_, t) => learningRateAt(readOptimizerConfig(adamCosine), t, STEPS)));
  assert.deepEqual(resumed.loss!.curve, curve);
});

test('the same stage run twice gives the same bytes', async () => {
  const init = await initCheckpoint(net);
  const params = trainParams(net, blobs, adamCosine, 12, 12);
  const a = await runCheckpoint('train', params, { start: init });
  const b = await runCheckpoint('train', params, { start: init });
  assert.deepEqual(encodeArtifact(a), encodeArtifact(b));
});

test('training changes the weights and ends at step `to`, keeping the model', async () => {
  const init = await initCheckpoint(net);
  const out = await runCheckpoint('train', trainParams(net, blobs, sgdMomentum, STEPS, 5), { start: init });
  assert.equal(out.step, 5);
  assert.deepEqual(out.model, init.model);
  assert.notDeepEqual(bitsOf(out.weights.get('layer1.weight')!.data), bitsOf(init.weights.get('layer1.weight')!.data));
});

async function maskedStart(): Promise<Checkpoint> {
  const init = await initCheckpoint(net);
  const mask = await runMask('magnitude', { rate: 0.5, scope: 'global', skip: [], rates: {} }, { weights: init });
  return runCheckpoint('rewind', {}, { weights: init, mask });
}

for (const [name, optimizer] of [['sgd with momentum and weight decay', sgdMomentum], ['adamw', adamwCosine]] as const) {
  test(`masked weights and their optimizer slots stay exactly zero: ${name}`, async () => {
    const start = await maskedStart();
    const out = await runCheckpoint('train', trainParams(net, blobs, optimizer, STEPS, STEPS), { start });
    assert.equal(out.mask, start.mask);
    let pruned = 0;
    let moved = 0;
    for (const [param, m] of start.mask!.masks) {
      const after = out.weights.get(param)!.data;
      const before = start.weights.get(param)!.data;
      for (let i = 0; i < m.data.length; i++) {
        if (m.data[i]) {
          if (after[i] !== before[i]) moved++;
          continue;
        }
        pruned++;
        assert.equal(after[i], 0, `${param}[${i}]`);
        for (const [key, slot] of out.optimizer!.slots) if (key.endsWith(`/${param}`)) assert.equal(slot.data[i], 0, `${key}[${i}]`);
      }
    }
    assert.ok(pruned > 0 && moved > 0);
  });
}

test('a checkpoint without optimizer state (a rewind) restarts the optimizer', async () => {
  const start = await maskedStart();
  const at5 = { ...start, step: 5 };
  const out = await runCheckpoint('train', trainParams(net, blobs, adamCosine, STEPS, 9), { start: at5 });
  assert.equal(out.optimizer?.updates, 4);
});

test('a segment that resumes its run continues its loss history: split and resumed, the unsplit run\'s', async () => {
  const { whole, resumed } = await trainSplitAndWhole(sgdMomentum, 13);
  assert.deepEqual(resumed.loss, whole.loss);
  assert.equal(whole.loss!.divergedAt, undefined, 'a healthy run has not diverged');
  assert.ok(whole.loss!.recent < whole.loss!.initial);
});

test('a segment that starts its optimizer afresh (as from a rewind) starts a new loss history', async () => {
  const init = await initCheckpoint(net);
  const first = await runCheckpoint('train', trainParams(net, blobs, sgdMomentum, STEPS, 10), { start: init });
  const weightsOnly: Checkpoint = { kind: 'checkpoint', model: first.model, step: first.step, weights: first.weights };
  const fresh = await runCheckpoint('train', trainParams(net, blobs, sgdMomentum, STEPS, 20), { start: { ...weightsOnly, loss: first.loss! } });
  const unrelated = await runCheckpoint('train', trainParams(net, blobs, sgdMomentum, STEPS, 20), { start: weightsOnly });
  assert.deepEqual(fresh.loss, unrelated.loss);
  assert.notEqual(fresh.loss!.initial, first.loss!.initial);
});

test('an exploding learning rate finishes, its checkpoint saying at which step the run diverged', async () => {
  const digitsNet = mlp(64, [16], 10);
  const exploding = { op: 'sgd', version: 1, lr: 1000, batch: 60, momentum: 0, nesterov: false, weight_decay: 0, warmup: 0 };
  const out = await runCheckpoint('train', trainParams(digitsNet, digits, exploding, 20, 20), { start: await initCheckpoint(digitsNet) });
  const history = out.loss!;
  assert.equal(typeof history.divergedAt, 'number');
  assert.ok(history.divergedAt! >= 1 && history.divergedAt! < 20, String(history.divergedAt));
  assert.ok(history.recent > 10 * history.initial, JSON.stringify(history));
});

test('a NaN loss fails the stage with the step it happened at', async () => {
  const init = await initCheckpoint(net);
  const broken: Checkpoint = { ...init, weights: new Map(init.weights) };
  const bias = broken.weights.get('output.bias')!;
  broken.weights.set('output.bias', { shape: bias.shape, data: Float32Array.from(bias.data, (v, i) => (i === 0 ? Number.NaN : v)) });
  await assert.rejects(
    runCheckpoint('train', trainParams(net, blobs, sgdMomentum, STEPS, 20), { start: broken }),
    (error) => error instanceof StageFailure && error.cause === 'loss became NaN at step 0',
  );
});

test('a diverging run fails at the first non-finite loss', async () => {
  const init = await initCheckpoint(net);
  const huge = { op: 'sgd', version: 1, lr: 1e30, batch: 16, momentum: 0, nesterov: false, weight_decay: 0, warmup: 0 };
  await assert.rejects(
    runCheckpoint('train', trainParams(net, blobs, huge, STEPS, STEPS), { start: init }),
    (error) => error instanceof StageFailure && /^loss became (NaN|Infinity) at step [1-9]\d*$/.test(error.cause),
  );
});

test('a model that does not fit the dataset fails with what does not fit', async () => {
  const lenet = { op: 'lenet5', version: 1, params: { input: [28, 28, 1], classes: 10 } };
  const init = await initCheckpoint(lenet);
  await assert.rejects(
    runCheckpoint('train', trainParams(lenet, digits, sgdMomentum, 10, 10), { start: init }),
    (error) => error instanceof StageFailure && error.cause === 'lenet5 expects 28x28x1 inputs, but digits has inputs of 8x8x1',
  );
  const wide = mlp(6, [8], 4);
  await assert.rejects(
    runCheckpoint('train', trainParams(wide, blobs, sgdMomentum, 10, 10), { start: await initCheckpoint(wide) }),
    (error) => error instanceof StageFailure && error.cause === 'mlp has 4 outputs, but gaussian_mixture has 3 classes',
  );
});

test('a start checkpoint at or past the step to train to fails', async () => {
  const init = await initCheckpoint(net);
  const at20 = { ...init, step: 20 };
  await assert.rejects(
    runCheckpoint('train', trainParams(net, blobs, sgdMomentum, STEPS, 20), { start: at20 }),
    (error) => error instanceof StageFailure && /start checkpoint at step 20, to 20/.test(error.cause),
  );
});

test('progress reports steps done in the segment with the mean recent loss', async () => {
  const init = await initCheckpoint(net);
  const log: StageProgress[] = [];
  await runCheckpoint('train', trainParams(net, blobs, sgdMomentum, STEPS, 25), { start: init }, context({ progressLog: log }));
  assert.deepEqual(log[0], { step: 0, total: 25 });
  assert.deepEqual(log.at(-1)!.step, 25);
  assert.ok(log.slice(1).every((p) => p.total === 25 && typeof p.loss === 'number' && p.loss > 0));
  assert.ok(log.length >= 4, `${log.length} reports for 25 steps`);
});

test('an aborted run stops with an AbortError and no result', async () => {
  const init = await initCheckpoint(net);
  const controller = new AbortController();
  let reports = 0;
  const ctx = context({ signal: controller.signal, progress: () => { if (++reports === 2) controller.abort(); } });
  await assert.rejects(runCheckpoint('train', trainParams(net, blobs, sgdMomentum, 1000, 1000), { start: init }, ctx), (error) => isAbortError(error));
});

test('training leaves no tensors behind, also when it fails', async () => {
  const init = await initCheckpoint(net);
  await runCheckpoint('train', trainParams(net, blobs, adamCosine, STEPS, 3), { start: init });
  const before = tf.memory().numTensors;
  await runCheckpoint('train', trainParams(net, blobs, adamCosine, STEPS, 12), { start: init });
  assert.equal(tf.memory().numTensors, before);
  const huge = { op: 'sgd', version: 1, lr: 1e30, batch: 16, momentum: 0.9, nesterov: false, weight_decay: 0, warmup: 0 };
  await assert.rejects(runCheckpoint('train', trainParams(net, blobs, huge, STEPS, STEPS), { start: init }));
  assert.equal(tf.memory().numTensors, before);
});

test('batch-norm running statistics are trained along and saved in the checkpoint', async () => {
  const resnet = { op: 'resnet', version: 1, params: { depth: 8, width: 4, input: [8, 8, 1], classes: 10 } };
  const init = await initCheckpoint(resnet);
  const out = await runCheckpoint('train', trainParams(resnet, digits, sgdMomentum, 3, 3), { start: init });
  const mean = out.weights.get('bn0.mean')!.data;
  const variance = out.weights.get('bn0.var')!.data;
  assert.ok(mean.some((v) => v !== 0), 'running means moved from 0');
  assert.ok(variance.some((v) => v !== 1), 'running variances moved from 1');
  assert.ok(![...out.optimizer!.slots.keys()].some((k) => k.endsWith('.mean') || k.endsWith('.var')), 'buffers have no optimizer state');
});
