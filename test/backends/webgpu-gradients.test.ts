// Gradients of every model's loss on tfjs's webgpu backend equal the cpu backend's, at tiny sizes: the
// same weights and inputs, every trained parameter compared whole. (The cpu gradients themselves are
// checked against finite differences in test/models/gradients.test.ts.) tfjs would hand ops on
// tensors this small to its cpu kernels (WEBGPU_CPU_FORWARD); the tests switch that off so that the
// WebGPU shaders compute every op.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { OpParams } from '../../core/op.ts';
import { initialize } from '../../stdlib/inits/index.ts';
import { forward } from '../../stdlib/models/forward.ts';
import { modelLayout } from '../../stdlib/models/layout.ts';
import { loss, type Task } from '../../stdlib/nn/losses.ts';
import { createRng } from '../../stdlib/random.ts';
import { modelParams } from '../models/helpers.ts';
import { useBackend } from './helpers.ts';
import { webGpuMissing } from './webgpu-helpers.ts';

/**
 * float32 sums in another order (GPU reductions are tree-shaped) through a few layers: relative to the
 * model's largest gradient, differences stay below 1e-5 here; a wrong kernel is off by O(1). (Relative
 * to the whole model, since some gradients are zero up to rounding: an attention key's bias shifts
 * every score of a row alike, which softmax ignores.)
 */
const WEBGPU_TOLERANCE = 1e-4;

interface Case {
  op: string;
  params: OpParams;
  x: { shape: number[]; values: Float32Array | Int32Array };
  y: { shape: number[]; values: Float32Array | Int32Array };
  task: Task;
  /** Scales applied to named initial weights (see the transformer case). */
  scale?: Record<string, number>;
}

function normals(shape: number[], seed: number) {
  const values = createRng(seed, 'test/webgpu/input').fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)));
  return { shape, values };
}

function ints(shape: number[], high: number, seed: number) {
  const rng = createRng(seed, 'test/webgpu/ints');
  return { shape, values: Int32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.int(high)) };
}

/** Gradients of the loss w.r.t. every trained parameter, computed on `backend`, read back asynchronously. */
async function modelGradients(backend: 'cpu' | 'webgpu', c: Case): Promise<Map<string, Float32Array>> {
  await useBackend(backend);
  const params = modelParams(c.op, c.params);
  const layout = modelLayout(c.op, params);
  const initial = initialize(layout, 'kaiming_normal', { seed: 1 });
  const trained = layout.params.filter((p) => p.role !== 'buffer');
  const grads = tf.tidy(() => {
    const weights: Record<string, tf.Tensor> = {};
    for (const spec of layout.params) {
      const w = tf.tensor(initial.get(spec.name)!, spec.shape);
      weights[spec.name] = c.scale?.[spec.name] === undefined ? w : tf.mul(w, c.scale[spec.name]!);
    }
    const x = tf.tensor(c.x.values, c.x.shape);
    const y = tf.tensor(c.y.values, c.y.shape);
    return tf.grads((...tensors: tf.Tensor[]) => {
      const w = { ...weights };
      trained.forEach((p, i) => (w[p.name] = tensors[i]!));
      // Training mode, so batch norm differentiates through the batch statistics.
      return loss(c.task, forward(layout, params, w, x, { training: true }).output, y);
    })(trained.map((p) => weights[p.name]!));
  });
  const out = new Map<string, Float32Array>();
  for (const [i, spec] of trained.entries()) out.set(spec.name, (await grads[i]!.data()) as Float32Array);
  tf.dispose(grads);
  return out;
}

async function assertWebGpuMatchesCpu(c: Case): Promise<void> {
  const cpu = await modelGradients('cpu', c);
  const gpu = await modelGradients('webgpu', c);
  let scale = 0;
  for (const g of cpu.values()) for (const v of g) scale = Math.max(scale, Math.abs(v));
  for (const [name, expected] of cpu) {
    const actual = gpu.get(name)!;
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
    assert.ok(worst <= WEBGPU_TOLERANCE * scale, `${c.op}: d loss / d ${name}, webgpu vs cpu: differs by ${worst.toExponential(2)}, the model's largest gradient is ${scale.toExponential(2)}`);
  }
}

const skip = webGpuMissing ?? false;
let forwarding: boolean;
before(() => {
  forwarding = tf.env().getBool('WEBGPU_CPU_FORWARD');
  tf.env().set('WEBGPU_CPU_FORWARD', false);
});
after(() => tf.env().set('WEBGPU_CPU_FORWARD', forwarding));

test('webgpu: mlp gradients equal cpu (relu classification, gelu regression)', { skip }, async () => {
  await assertWebGpuMatchesCpu({ op: 'mlp', params: { input: 6, hidden: [5, 4], classes: 3 }, x: normals([4, 6], 1), y: ints([4], 3, 1), task: 'classification' });
  await assertWebGpuMatchesCpu({
    op: 'mlp', params: { input: 6, hidden: [5], classes: 2, activation: 'gelu' }, x: normals([4, 6], 2), y: normals([4, 2], 3), task: 'regression',
  });
});

test('webgpu: conv gradients equal cpu (same and valid padding, max-pool)', { skip }, async () => {
  await assertWebGpuMatchesCpu({
    op: 'conv', params: { input: [6, 6, 2], channels: [[3], [3, 4]], hidden: [5], classes: 3, activation: 'tanh' },
    x: normals([3, 6, 6, 2], 4), y: ints([3], 3, 4), task: 'classification',
  });
});

test('webgpu: lenet5 gradients equal cpu', { skip }, async () => {
  await assertWebGpuMatchesCpu({ op: 'lenet5', params: { input: [12, 12, 1], classes: 3 }, x: normals([3, 12, 12, 1], 6), y: ints([3], 3, 6), task: 'classification' });
});

test('webgpu: resnet gradients equal cpu, through batch norm in training mode', { skip }, async () => {
  await assertWebGpuMatchesCpu({
    op: 'resnet', params: { depth: 8, width: 2, input: [4, 4, 2], classes: 3 }, x: normals([4, 4, 4, 2], 7), y: ints([4], 3, 7), task: 'classification',
  });
});

test('webgpu: transformer gradients equal cpu, embeddings (gather) and positions included', { skip }, async () => {
  await assertWebGpuMatchesCpu({
    op: 'transformer', params: { vocab: 5, context: 4, width: 8, heads: 2, layers: 1 },
    x: ints([3, 4], 5, 8), y: ints([3, 4], 5, 9), task: 'language-model',
    scale: { 'embed.weight': 25, 'position.weight': 25 },
  });
});
