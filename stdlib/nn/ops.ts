// Layer primitives shared by every model. Models call these rather than tf.matMul / tf.conv2d
// directly so that backend-specific fast gradients (see runtime/backends) apply to all of them.
import * as tf from '@tensorflow/tfjs-core';

/** y = x W + b, with x: [n, in], W: [in, out], b: [out] (optional). */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  const y = tf.matMul(x, w);
  return b ? tf.add(y, b) : y;
}

/** NHWC convolution with an HWIO kernel; `pad` is 'same' or 'valid'. */
export function conv2d(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  b: tf.Tensor1D | undefined,
  stride: number,
  pad: 'same' | 'valid',
): tf.Tensor4D {
  const y = tf.conv2d(x, w, stride, pad);
  return b ? tf.add(y, b) : y;
}
