// The forward pass of mlp (its layers are in mlp.ts), on tensors: loaded when a stage first computes with it.
import * as tf from '@tensorflow/tfjs-core';
import { denseChainGradients } from '../nn/dense-chain.ts';
import type { Task } from '../nn/losses.ts';
import { linear } from '../nn/ops.ts';
import { stackedLinear } from '../nn/stacked.ts';
import { activate, flatten, matrixOf, vectorOf, weight } from './layers.ts';
import { mlpLayers, type MlpParams } from './mlp.ts';
import type { ForwardOptions, ForwardResult, LossAndGradients, Weights } from './types.ts';

/**
 * Logits [n, classes] of an mlp; inputs [n, ...] are flattened to [n, input]. Each hidden layer's units
 * (after the activation) go into `hidden` when it is given.
 */
export function mlpForward(p: MlpParams, weights: Weights, x: tf.Tensor, hidden?: Record<string, tf.Tensor2D>): tf.Tensor2D {
  let h = flatten(x, p.input, 'mlp');
  for (const { layer } of mlpLayers(p)) {
    const b = p.bias ? vectorOf(weights, `${layer}.bias`) : undefined;
    h = linear(h, matrixOf(weights, `${layer}.weight`), b);
    if (layer === 'output') continue;
    h = activate(h, p.activation);
    if (hidden) hidden[layer] = h;
  }
  return h;
}

export function forward(p: MlpParams, weights: Weights, x: tf.Tensor, opts: ForwardOptions): ForwardResult {
  const hidden = opts.hidden ? {} : undefined;
  return { output: mlpForward(p, weights, x, hidden), ...(hidden && { hidden }) };
}

/** The classification loss and every parameter's gradient without the tape (ModelImplementation.lossAndGradients). */
export function lossAndGradients(p: MlpParams, weights: Weights, x: tf.Tensor, y: tf.Tensor, task: Task): LossAndGradients | undefined {
  if (task !== 'classification') return undefined;
  const names = mlpLayers(p).map(({ layer }) => layer);
  const layers = names.map((layer) => ({
    w: matrixOf(weights, `${layer}.weight`) as tf.Tensor,
    ...(p.bias ? { b: vectorOf(weights, `${layer}.bias`) } : {}),
  }));
  const result = denseChainGradients(flatten(x, p.input, 'mlp'), y, layers, p.activation);
  if (result === undefined) return undefined;
  const gradients: Record<string, tf.Tensor> = {};
  names.forEach((layer, l) => {
    const { w, b } = result.layers[l]!;
    gradients[`${layer}.weight`] = w;
    if (b) gradients[`${layer}.bias`] = b;
  });
  return { loss: result.loss, gradients };
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
