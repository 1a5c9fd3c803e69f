// The gradient of tf.matMul (BatchMatMul) with explicit transposes on the wasm backend.
//
// tfjs's own gradient multiplies with matMul's transposeA/transposeB flags, which the wasm backend
// runs ~8× slower than tf.transpose followed by a plain matMul. stdlib/nn/ops.ts's dense layers
// have their own gradient; this covers every other matMul (attention scores, custom models). The
// products are the same on every backend; other backends keep tfjs's gradient unchanged.
import * as tf from '@tensorflow/tfjs-core';
import { product as product2d } from './matmul-orientation.ts';

let tfjsGradient: tf.GradConfig | undefined;

/** x with its last two axes swapped. */
function swapLastAxes(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  perm[x.rank - 2] = x.rank - 1;
  perm[x.rank - 1] = x.rank - 2;
  return tf.transpose(x, perm);
}

/** matMul(a, b, transposeA, transposeB) without the flags; matrices also pick their orientation. */
function product(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): tf.Tensor {
  if (a.rank === 2 && b.rank === 2) return product2d(a as tf.Tensor2D, transposeA, b as tf.Tensor2D, transposeB);
  return tf.matMul(transposeA ? swapLastAxes(a) : a, transposeB ? swapLastAxes(b) : b);
}

const gradFunc: tf.GradFunc = (dy, saved, attrs) => {
  if (tf.getBackend() !== 'wasm' && tfjsGradient !== undefined) return tfjsGradient.gradFunc(dy, saved, attrs);
  const [a, b] = saved as [tf.Tensor, tf.Tensor];
  const g = dy as tf.Tensor;
  const transposeA = attrs['transposeA'] === true;
  const transposeB = attrs['transposeB'] === true;
  // The same four cases as tfjs's BatchMatMul gradient.
  if (!transposeA && !transposeB) return { a: () => product(g, b, false, true), b: () => product(a, g, true, false) };
  if (!transposeA && transposeB) return { a: () => product(g, b, false, false), b: () => product(g, a, true, false) };
  if (transposeA && !transposeB) return { a: () => product(b, g, false, true), b: () => product(a, g, false, false) };
  return { a: () => product(b, g, true, true), b: () => product(g, a, true, true) };
};

/** The gradient registerMatMulGradient installs. */
export const explicitTransposeGradient: tf.GradConfig = {
  kernelName: tf.BatchMatMul,
  inputsToSave: ['a', 'b'],
  gradFunc,
};

/** Installs the gradient in tfjs's (process-global) registry; idempotent. */
export function registerMatMulGradient(): void {
  const current = tf.getGradient(tf.BatchMatMul);
  if (current === explicitTransposeGradient) return;
  tfjsGradient = current;
  tf.registerGradient(explicitTransposeGradient);
}
