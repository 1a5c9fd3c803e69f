// The forward pass of lenet5 (its layers are in lenet5.ts), on tensors: loaded when a stage first computes with it.
import * as tf from '@tensorflow/tfjs-core';
import { conv2d, linear } from '../nn/ops.ts';
import { asImages, flatten, kernelOf, matrixOf, maxPool2, vectorOf } from './layers.ts';
import { lenet5FlatFeatures, type Lenet5Params } from './lenet5.ts';
import type { ForwardResult, Weights } from './types.ts';

/** Logits [n, classes] of LeNet-5 on NHWC images. */
function lenet5Forward(p: Lenet5Params, weights: Weights, x: tf.Tensor): tf.Tensor2D {
  const conv = (layer: string, input: tf.Tensor4D, pad: 'same' | 'valid') =>
    tf.relu(conv2d(input, kernelOf(weights, `${layer}.weight`), vectorOf(weights, `${layer}.bias`), 1, pad));
  const dense = (layer: string, input: tf.Tensor2D) =>
    linear(input, matrixOf(weights, `${layer}.weight`), vectorOf(weights, `${layer}.bias`));

  let image = asImages(x, p.input, 'lenet5');
  image = maxPool2(conv('conv1', image, 'same'));
  image = maxPool2(conv('conv2', image, 'valid'));
  let h = flatten(image, lenet5FlatFeatures(p), 'lenet5');
  h = tf.relu(dense('fc1', h));
  h = tf.relu(dense('fc2', h));
  return dense('output', h);
}

export function forward(p: Lenet5Params, weights: Weights, x: tf.Tensor): ForwardResult {
  return { output: lenet5Forward(p, weights, x) };
}
