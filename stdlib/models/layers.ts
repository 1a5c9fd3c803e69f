// The tensor building blocks the model forwards share (activations, norms, pooling). Dense and conv
// layers come from stdlib/nn/ops.ts so that backend-specific fast gradients apply to every model.
import * as tf from '@tensorflow/tfjs-core';
import type { Activation } from './params.ts';
import type { Weights } from './types.ts';

/** The tensor of parameter `name`; the forward checked its presence and shape against the layout. */
export function weight<T extends tf.Tensor = tf.Tensor>(weights: Weights, name: string): T {
  const w = weights[name];
  if (w === undefined) throw new Error(`model weights have no tensor '${name}'`);
  return w as T;
}

/** A bias, norm scale or shift. */
export const vectorOf = (weights: Weights, name: string) => weight<tf.Tensor1D>(weights, name);
/** A dense kernel [in, out] or a table [rows, width]. */
export const matrixOf = (weights: Weights, name: string) => weight<tf.Tensor2D>(weights, name);
/** A conv kernel [kh, kw, c_in, c_out]. */
export const kernelOf = (weights: Weights, name: string) => weight<tf.Tensor4D>(weights, name);

/** GELU as in PyTorch's default (the exact erf form, not the tanh approximation). */
export function gelu<T extends tf.Tensor>(x: T): T {
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
}

export function activate<T extends tf.Tensor>(x: T, activation: Activation): T {
  switch (activation) {
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'gelu':
      return gelu(x);
    case 'linear':
      return x;
  }
}

/** [n, ...] to [n, features], checking that one example has `features` numbers. */
export function flatten(x: tf.Tensor, features: number, what: string): tf.Tensor2D {
  const n = x.shape[0] ?? 0;
  const perExample = n === 0 ? 0 : x.size / n;
  if (x.rank < 1 || perExample !== features) {
    throw new Error(`${what}: expected ${features} numbers per example, got input of shape [${x.shape.join(', ')}]`);
  }
  return tf.reshape(x, [n, features]);
}

/** [n, h·w·c] or [n, h, w, c] to NHWC; datasets often store images flat. */
export function asImages(x: tf.Tensor, [h, w, c]: readonly [number, number, number], what: string): tf.Tensor4D {
  const n = x.shape[0] ?? 0;
  if (x.rank < 1 || (n > 0 && x.size / n !== h * w * c)) {
    throw new Error(`${what}: expected ${h}x${w}x${c} images, got input of shape [${x.shape.join(', ')}]`);
  }
  return tf.reshape(x, [n, h, w, c]);
}

/** 2x2 max-pool with stride 2; an odd row or column at the edge is dropped ('valid'). */
export function maxPool2(x: tf.Tensor4D): tf.Tensor4D {
  return tf.maxPool(x, 2, 2, 'valid');
}

export const NORM_EPSILON = 1e-5;
/** Weight of the current batch in the running statistics (PyTorch's momentum 0.1). */
export const BATCH_NORM_MOMENTUM = 0.1;

/** Layer norm over the last axis. */
export function layerNorm<T extends tf.Tensor>(x: T, scale: tf.Tensor1D, shift: tf.Tensor1D): T {
  const { mean, variance } = tf.moments(x, -1, true);
  const normalized = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, NORM_EPSILON)));
  return tf.add(tf.mul(normalized, scale), shift);
}

export interface BatchNormResult {
  y: tf.Tensor4D;
  /** Updated running statistics; only in training mode. */
  running?: { mean: tf.Tensor1D; variance: tf.Tensor1D };
}

export interface BatchNormWeights {
  scale: tf.Tensor1D;
  shift: tf.Tensor1D;
  mean: tf.Tensor1D | undefined;
  variance: tf.Tensor1D | undefined;
}

/**
 * Batch norm over N, H, W of NHWC input. Training normalizes by the batch's (biased) statistics and
 * moves the running ones towards the batch's, with the unbiased variance as PyTorch does; evaluation
 * normalizes by the running statistics.
 */
export function batchNorm(x: tf.Tensor4D, p: BatchNormWeights, training: boolean): BatchNormResult {
  if (!training) {
    if (!p.mean || !p.variance) throw new Error('batch norm in evaluation needs its running mean and variance');
    const inv = tf.rsqrt(tf.add(p.variance, NORM_EPSILON));
    return { y: tf.add(tf.mul(tf.mul(tf.sub(x, p.mean), inv), p.scale), p.shift) as tf.Tensor4D };
  }
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const y = tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, NORM_EPSILON))), p.scale), p.shift) as tf.Tensor4D;
  if (!p.mean || !p.variance) return { y };
  const count = x.size / x.shape[3];
  const unbiased = tf.mul(variance, count / Math.max(count - 1, 1));
  const keep = 1 - BATCH_NORM_MOMENTUM;
  return {
    y,
    running: {
      mean: tf.add(tf.mul(p.mean, keep), tf.mul(mean, BATCH_NORM_MOMENTUM)) as tf.Tensor1D,
      variance: tf.add(tf.mul(p.variance, keep), tf.mul(unbiased, BATCH_NORM_MOMENTUM)) as tf.Tensor1D,
    },
  };
}
