// The forward pass of mlp (its layers are in mlp.ts), on tensors: loaded when a stage first computes with it.
import * as tf from '@tensorflow/tfjs-core';
import { linear } from '../nn/ops.ts';
import { stackedLinear } from '../nn/stacked.ts';
import { activate, flatten, matrixOf, vectorOf, weight } from './layers.ts';
import { mlpLayers, type MlpParams } from './mlp.ts';
import type { ForwardResult, Weights } from './types.ts';

/** Logits [n, classes] of an mlp; inputs [n, ...] are flattened to [n, input]. */
export function mlpForward(p: MlpParams, weights: Weights, x: tf.Tensor): tf.Tensor2D {
  let h = flatten(x, p.input, 'mlp');
  for (const { layer } of mlpLayers(p)) {
    const b = p.bias ? vectorOf(weights, `${layer}.bias`) : undefined;
    h = linear(h, matrixOf(weights, `${layer}.weight`), b);
    if (layer !== 'output') h = activate(h, p.activation);
  }
  return h;
}

export function forward(p: MlpParams, weights: Weights, x: tf.Tensor): ForwardResult {
  return { output: mlpForward(p, weights, x) };
}

/** Logits [R, n, classes] of R stacked mlps on their inputs [R, n, ...] (ModelImplementation.stackedForward). */
export function stackedForward(p: MlpParams, weights: Weights, x: tf.Tensor): tf.Tensor3D {
  const [count, n] = x.shape as [number, number];
  let h = tf.reshape(x, [count, n, p.input]) as tf.Tensor3D;
  for (const { layer } of mlpLayers(p)) {
    const b = p.bias ? weight<tf.Tensor2D>(weights, `${layer}.bias`) : undefined;
    h = stackedLinear(h, weight<tf.Tensor3D>(weights, `${layer}.weight`), b);
    if (layer !== 'output') h = activate(h, p.activation);
  }
  return h;
}
