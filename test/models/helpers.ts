// Shared setup for the model tests: the cpu backend, initial weights as tensors, seeded inputs.
import * as tf from '@tensorflow/tfjs-core';
import { withDefaults } from '../../core/defaults.ts';
import type { OpParams } from '../../core/op.ts';
import { initialize, type InitScheme } from '../../stdlib/inits/index.ts';
import { modelModule } from '../../stdlib/models/index.ts';
import { modelLayout, type ModelLayout } from '../../stdlib/models/layout.ts';
import { createRng } from '../../stdlib/random.ts';

export async function useCpuBackend(): Promise<void> {
  // ltx's one loader of TensorFlow.js: it registers the gradient functions tfjs-core's Node build lacks.
  await import('../../runtime/backends/tfjs-setup.ts');
  await tf.setBackend('cpu');
}

/** A model's parameters with its schema's defaults filled in, as the compiler passes them. */
export function modelParams(op: string, params: OpParams): OpParams {
  return withDefaults(modelModule(op), params);
}

/** The layout of the model `op(params)`, its defaults filled in. */
export function layoutOf(op: string, params: OpParams): ModelLayout {
  return modelLayout(op, modelParams(op, params));
}

export function initialWeights(layout: ModelLayout, seed = 0, scheme: InitScheme = 'kaiming_normal'): Record<string, tf.Tensor> {
  const values = initialize(layout, scheme, { seed });
  const weights: Record<string, tf.Tensor> = {};
  for (const spec of layout.params) weights[spec.name] = tf.tensor(values.get(spec.name)!, spec.shape);
  return weights;
}

export function normalInput(shape: number[], seed: number): tf.Tensor {
  const values = createRng(seed, 'test/input').fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)));
  return tf.tensor(values, shape);
}

export function intInput(shape: number[], high: number, seed: number): tf.Tensor {
  const rng = createRng(seed, 'test/ints');
  const values = Int32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.int(high));
  return tf.tensor(values, shape, 'int32');
}

export function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
