// The forward pass of conv and its Conv-2/4/6 presets (their layers are in conv.ts), on tensors: loaded
// when a stage first computes with one.
import type * as tf from '@tensorflow/tfjs-core';
import { conv2d, linear } from '../nn/ops.ts';
import { convPlan, type ConvParams } from './conv.ts';
import { activate, asImages, flatten, kernelOf, matrixOf, maxPool2, vectorOf } from './layers.ts';
import type { ForwardResult, Weights } from './types.ts';

/** Logits [n, classes] of a conv net (or a Conv-2/4/6 preset) on NHWC images. */
function convForward(p: ConvParams, weights: Weights, x: tf.Tensor): tf.Tensor2D {
  const plan = convPlan(p);
  let image = asImages(x, p.input, 'conv');
  for (const group of plan.groups) {
    for (const { layer } of group) {
      const y = conv2d(image, kernelOf(weights, `${layer}.weight`), vectorOf(weights, `${layer}.bias`), 1, 'same');
      image = activate(y, p.activation);
    }
    image = maxPool2(image);
  }
  let h = flatten(image, plan.flatFeatures, 'conv');
  for (const { layer } of plan.dense) {
    h = linear(h, matrixOf(weights, `${layer}.weight`), vectorOf(weights, `${layer}.bias`));
    if (layer !== 'output') h = activate(h, p.activation);
  }
  return h;
}

export function forward(p: ConvParams, weights: Weights, x: tf.Tensor): ForwardResult {
  return { output: convForward(p, weights, x) };
}
