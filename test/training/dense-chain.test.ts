// An mlp's training loss and gradients without the engine's tape (stdlib/nn/dense-chain.ts, on wasm)
// are the bits tf.valueAndGrads gives over the model's forward and the classification loss: dense,
// sparse (marked with a pattern) and compact weights, with and without biases, any depth; a model,
// backend or task the kernel does not cover is left to the tape; and a whole training segment
// gives the same checkpoint either way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { Checkpoint, TensorValue } from '../../core/artifacts.ts';
import type { OpParams } from '../../core/op.ts';
import { forward, lossAndGradients } from '../../stdlib/models/forward.ts';
import { loss } from '../../stdlib/nn/losses.ts';
import { markSparse } from '../../stdlib/nn/ops.ts';
import { DENSE_CHAIN_GRADIENTS } from '../../stdlib/nn/kernels/dense-chain.ts';
import { patternOf } from '../../stdlib/nn/kernels/sparse-linear.ts';
import { segmentOf } from '../../stdlib/training/train-stage.ts';
import { trainSegment } from '../../stdlib/training/trainer.ts';
import { useBackend } from '../backends/helpers.ts';
import { initialWeights, intInput, layoutOf, modelParams, normalInput } from '../models/helpers.ts';
import { optimizerDescriptor } from './descriptors.ts';
import { bitsOf, context, digits, initCheckpoint, runCheckpoint, runMask, stage, trainParams, type Ref } from './helpers.ts';

const BATCH = 13;

async function bits(t: tf.Tensor): Promise<number[]> {
  return [...bitsOf((await t.data()) as Float32Array)];
}

type WeightForm = 'dense' | 'sparse' | 'compact';

/**
 * The weights of `params`, every prunable kernel kept at about a third of its entries (marked sparse,
 * or compact: the kept entries alone) unless 'dense'.
 */
function weightsOf(params: OpParams, form: WeightForm): Record<string, tf.Tensor> {
  const layout = layoutOf('mlp', params);
  const weights = initialWeights(layout, 3);
  if (form === 'dense') return weights;
  for (const spec of layout.params.filter((p) => p.prunable)) {
    const [inputs, outputs] = spec.shape as [number, number];
    const keep = Array.from({ length: inputs * outputs }, (_, i) => ((i * 7919) % 3 === 0 ? 1 : 0));
    const pattern = patternOf(keep, inputs, outputs);
    const values = weights[spec.name]!.dataSync();
    const kept = form === 'compact'
      ? tf.tensor(Float32Array.from(pattern.rows, (row, k) => values[row * outputs + pattern.cols[k]!]!))
      : tf.tensor(Float32Array.from(values, (v, i) => (keep[i] ? v : 0)), spec.shape);
    markSparse(kept, pattern);
    weights[spec.name] = kept;
  }
  return weights;
}

const shapes: [string, OpParams][] = [
  ['two hidden layers', { input: 20, hidden: [16, 12], classes: 5 }],
  ['no bias', { input: 20, hidden: [16], classes: 5, bias: false }],
  ['no hidden layer', { input: 20, hidden: [], classes: 5 }],
  ['linear activation', { input: 20, hidden: [16, 8], classes: 5, activation: 'linear' }],
];

for (const [what, shape] of shapes) {
  for (const form of ['dense', 'sparse', 'compact'] as const) {
    test(`mlp gradients without the tape are the tape's bits: ${what}, ${form} weights`, async () => {
      await useBackend('wasm');
      const params = modelParams('mlp', shape);
      const layout = layoutOf('mlp', shape);
      const weights = weightsOf(params, form);
      const x = normalInput([BATCH, 20], 1);
      const y = intInput([BATCH], 5, 2);
      const names = layout.params.map((p) => p.name);
      const fast = lossAndGradients(layout, params, weights, x, y, 'classification');
      assert.ok(fast, 'the wasm backend computes an mlp without the tape');
      const taped = tf.valueAndGrads((...ps: tf.Tensor[]) => {
        const w = Object.fromEntries(names.map((n, i) => [n, ps[i]!]));
        return loss('classification', forward(layout, params, w, x, { training: true }).output, y);
      })(names.map((n) => weights[n]!));
      assert.deepEqual(await bits(fast.loss), await bits(taped.value), 'loss');
      for (const [i, name] of names.entries()) {
        assert.deepEqual(fast.gradients[name]!.shape, taped.grads[i]!.shape, `${name} shape`);
        assert.deepEqual(await bits(fast.gradients[name]!), await bits(taped.grads[i]!), name);
      }
    });
  }
}

test('the tape differentiates what the dense chain does not cover: tanh, regression, the cpu backend', async () => {
  await useBackend('wasm');
  const x = normalInput([BATCH, 20], 1);
  const labels = intInput([BATCH], 5, 2);
  const tanh = modelParams('mlp', { input: 20, hidden: [8], classes: 5, activation: 'tanh' });
  assert.equal(lossAndGradients(layoutOf('mlp', tanh), tanh, weightsOf(tanh, 'dense'), x, labels, 'classification'), undefined);
  const relu = modelParams('mlp', { input: 20, hidden: [8], classes: 5 });
  const layout = layoutOf('mlp', relu);
  assert.equal(lossAndGradients(layout, relu, weightsOf(relu, 'dense'), x, normalInput([BATCH, 5], 3), 'regression'), undefined);
  assert.ok(lossAndGradients(layout, relu, weightsOf(relu, 'dense'), x, labels, 'classification'));
  await useBackend('cpu');
  assert.equal(lossAndGradients(layout, relu, weightsOf(relu, 'dense'), x, labels, 'classification'), undefined);
});

test('the weights are checked against the layout before the tape-free gradients run', async () => {
  await useBackend('wasm');
  const params = modelParams('mlp', { input: 20, hidden: [8], classes: 5 });
  const weights = { ...weightsOf(params, 'dense'), 'layer1.weight': tf.zeros([20, 9]) };
  assert.throws(
    () => lossAndGradients(layoutOf('mlp', params), params, weights, normalInput([BATCH, 20], 1), intInput([BATCH], 5, 2), 'classification'),
    /weight 'layer1.weight' has shape \[20, 9\], the model expects \[20, 8\]/,
  );
});

// ---- whole segments -------------------------------------------------------------------------------

const net: Ref = { op: 'mlp', version: 1, params: { input: 64, hidden: [32, 16], classes: 10, activation: 'relu', bias: true } };

/** The segment's checkpoint, and the engine kernels its steps ran. */
async function train(start: Checkpoint, tapeGradients: boolean): Promise<{ checkpoint: Checkpoint; kernels: Set<string> }> {
  const params = trainParams(net, digits, { ...optimizerDescriptor('adam', { lr: 0.01 }), batch: 16 }, 8, 8);
  const segment = await segmentOf(stage('train', params, { start: 'start' }), { start }, context());
  let checkpoint: Checkpoint | undefined;
  const profile = await tf.profile(async () => {
    checkpoint = await trainSegment({ ...segment, tapeGradients });
  });
  return { checkpoint: checkpoint!, kernels: new Set(profile.kernels.map((k) => k.name)) };
}

function assertSameBits(actual: Map<string, TensorValue>, expected: Map<string, TensorValue>, what: string): void {
  assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort(), what);
  for (const [name, value] of expected) assert.deepEqual(bitsOf(actual.get(name)!.data), bitsOf(value.data), `${what} ${name}`);
}

test('a training segment gives the same checkpoint with and without the tape, dense and at a sparse level', async () => {
  await useBackend('wasm');
  const init = await initCheckpoint(net);
  const mask = await runMask('magnitude', { rate: 0.8, scope: 'global', skip: [], rates: {} }, { weights: init });
  const level = await runCheckpoint('rewind', {}, { weights: init, mask });
  for (const start of [init, level]) {
    const { checkpoint: fast, kernels } = await train(start, false);
    const { checkpoint: taped, kernels: tapedKernels } = await train(start, true);
    assert.ok(kernels.has(DENSE_CHAIN_GRADIENTS) && !kernels.has('LtxCrossEntropyGrad'), 'the steps ran without the tape');
    assert.ok(!tapedKernels.has(DENSE_CHAIN_GRADIENTS), 'the reference ran with the tape');
    assertSameBits(fast.weights, taped.weights, `weights from ${start.mask ? 'the level' : 'the init'}`);
    assertSameBits(fast.optimizer!.slots, taped.optimizer!.slots, `slots from ${start.mask ? 'the level' : 'the init'}`);
    assert.deepEqual(fast.loss?.curve, taped.loss?.curve);
  }
});

test('the tape-free step leaves nothing on the backend but its outputs', async () => {
  await useBackend('wasm');
  for (const form of ['dense', 'compact'] as const) {
    const params = modelParams('mlp', { input: 20, hidden: [16, 12], classes: 5 });
    const layout = layoutOf('mlp', params);
    const weights = weightsOf(params, form);
    const x = normalInput([BATCH, 20], 1);
    const y = intInput([BATCH], 5, 2);
    // The first call uploads each sparse pattern's index tables, which live as long as the pattern.
    const first = lossAndGradients(layout, params, weights, x, y, 'classification')!;
    tf.dispose([first.loss, ...Object.values(first.gradients)]);
    const before = tf.engine().backend.numDataIds();
    const result = lossAndGradients(layout, params, weights, x, y, 'classification')!;
    const outputs = [result.loss, ...Object.values(result.gradients)];
    assert.equal(tf.engine().backend.numDataIds(), before + outputs.length, `${form}: only the loss and the gradients remain`);
    tf.dispose(outputs);
    assert.equal(tf.engine().backend.numDataIds(), before, form);
  }
});
