// The forward pass of resnet (its blocks are in resnet.ts), on tensors: loaded when a stage first computes with it.
import * as tf from '@tensorflow/tfjs-core';
import { conv2d, linear } from '../nn/ops.ts';
import { asImages, batchNorm, kernelOf, matrixOf, vectorOf } from './layers.ts';
import { resnetBlocks, type ResnetParams } from './resnet.ts';
import type { ForwardOptions, ForwardResult, Weights } from './types.ts';

interface ResnetOutput {
  logits: tf.Tensor2D;
  /** Updated running statistics by parameter name ('bn0.mean', ...); training mode only. */
  buffers: Record<string, tf.Tensor>;
}

/** Logits [n, classes] of the CIFAR ResNet on NHWC images. */
function resnetForward(p: ResnetParams, weights: Weights, x: tf.Tensor, training: boolean): ResnetOutput {
  const buffers: Record<string, tf.Tensor> = {};
  const conv = (layer: string, input: tf.Tensor4D, stride: number) =>
    conv2d(input, kernelOf(weights, `${layer}.weight`), undefined, stride, 'same');
  const norm = (layer: string, input: tf.Tensor4D) => {
    const { y, running } = batchNorm(
      input,
      {
        scale: vectorOf(weights, `${layer}.scale`),
        shift: vectorOf(weights, `${layer}.shift`),
        mean: weights[`${layer}.mean`] as tf.Tensor1D | undefined,
        variance: weights[`${layer}.var`] as tf.Tensor1D | undefined,
      },
      training,
    );
    if (running) {
      buffers[`${layer}.mean`] = running.mean;
      buffers[`${layer}.var`] = running.variance;
    }
    return y;
  };

  let h = tf.relu(norm('bn0', conv('conv0', asImages(x, p.input, 'resnet'), 1)));
  for (const b of resnetBlocks(p)) {
    const inner = tf.relu(norm(`${b.prefix}.bn1`, conv(`${b.prefix}.conv1`, h, b.stride)));
    const residual = norm(`${b.prefix}.bn2`, conv(`${b.prefix}.conv2`, inner, 1));
    const shortcut = b.projection ? norm(`${b.prefix}.shortcut_bn`, conv(`${b.prefix}.shortcut`, h, b.stride)) : h;
    h = tf.relu(tf.add(residual, shortcut)) as tf.Tensor4D;
  }
  const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
  return { logits: linear(pooled, matrixOf(weights, 'output.weight'), vectorOf(weights, 'output.bias')), buffers };
}

export function forward(p: ResnetParams, weights: Weights, x: tf.Tensor, { training }: ForwardOptions): ForwardResult {
  const { logits, buffers } = resnetForward(p, weights, x, training);
  return training ? { output: logits, buffers } : { output: logits };
}
