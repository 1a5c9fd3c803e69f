// Which way round to multiply two matrices on the wasm backend.
//
// The wasm backend multiplies through XNNPACK, which first repacks the right operand (B of A·B)
// and caches the packed copy under B's tensor id; packing costs ~6–25 ns per element, more than
// the arithmetic for a batch of 60 against a 784×300 weight matrix. In training every product has
// a right operand that was never seen before (weights change each step), so a product with a big
// right operand runs faster transposed: A·B = (Bᵀ·Aᵀ)ᵀ packs Aᵀ instead, at the price of cheap
// transposes. Its matMul with transpose flags bypasses XNNPACK for a loop ~8× slower, so operands
// are always transposed explicitly. Other backends take the flags, which they handle well.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callWasmKernel, release } from '../../../core/wasm-kernel-calls.ts';

export type Orientation = 'direct' | 'swapped';

// Measured on the wasm backend (bench/README.md): XNNPACK packing of a fresh right operand, and a
// 2-D transpose, per element. Rounded towards their larger (big-matrix) values.
const PACK_NS = 8;
const TRANSPOSE_NS = 2;

/**
 * The cheaper way to compute op(L)·op(R), with op(L): [m, k] and op(R): [k, n], where op
 * transposes the operand we hold if its flag is set. 'direct' multiplies op(L)·op(R) and packs
 * op(R); 'swapped' multiplies op(R)ᵀ·op(L)ᵀ, packs op(L)ᵀ, then transposes the [n, m] result.
 */
export function cheaperOrientation(
  m: number,
  k: number,
  n: number,
  transposeL: boolean,
  transposeR: boolean,
): Orientation {
  const direct = PACK_NS * k * n + TRANSPOSE_NS * ((transposeL ? m * k : 0) + (transposeR ? k * n : 0));
  const swapped =
    PACK_NS * k * m + TRANSPOSE_NS * ((transposeL ? 0 : m * k) + (transposeR ? 0 : k * n) + m * n);
  return swapped < direct ? 'swapped' : 'direct';
}

/** op(l)·op(r) as differentiable tfjs ops, in the cheaper orientation on wasm. */
export function product(l: tf.Tensor2D, transposeL: boolean, r: tf.Tensor2D, transposeR: boolean): tf.Tensor2D {
  if (tf.getBackend() !== 'wasm') return tf.matMul(l, r, transposeL, transposeR);
  const [m, k] = transposeL ? [l.shape[1], l.shape[0]] : l.shape;
  const n = transposeR ? r.shape[0] : r.shape[1];
  if (cheaperOrientation(m, k, n, transposeL, transposeR) === 'direct') {
    return tf.matMul(transposeL ? tf.transpose(l) : l, transposeR ? tf.transpose(r) : r);
  }
  const rT = transposeR ? r : tf.transpose(r);
  const lT = transposeL ? l : tf.transpose(l);
  return tf.transpose(tf.matMul(rT, lT)) as tf.Tensor2D;
}

/**
 * op(l)·op(r) inside a wasm kernel (TensorInfos, no engine), in the given orientation: the kernels
 * product() runs for it, on the same operands (so the same bits).
 */
export function wasmOrientedProduct(
  backend: BackendWasm,
  l: tf.TensorInfo,
  transposeL: boolean,
  r: tf.TensorInfo,
  transposeR: boolean,
  orientation: Orientation,
): tf.TensorInfo {
  const plain = { transposeA: false, transposeB: false };
  const made: tf.TensorInfo[] = [];
  const transposed = (x: tf.TensorInfo) => {
    const t = callWasmKernel(backend, tf.Transpose, { x }, { perm: [1, 0] });
    made.push(t);
    return t;
  };
  let result: tf.TensorInfo;
  if (orientation === 'direct') {
    result = callWasmKernel(backend, tf.BatchMatMul, { a: transposeL ? transposed(l) : l, b: transposeR ? transposed(r) : r }, plain);
  } else {
    const rT = transposeR ? r : transposed(r);
    const lT = transposeL ? l : transposed(l);
    const yT = callWasmKernel(backend, tf.BatchMatMul, { a: rT, b: lT }, plain);
    made.push(yT);
    result = callWasmKernel(backend, tf.Transpose, { x: yT }, { perm: [1, 0] });
  }
  release(backend, ...made);
  return result;
}

/** x·w inside a wasm kernel (TensorInfos, no engine), in the given orientation. */
export function wasmProduct(backend: BackendWasm, x: tf.TensorInfo, w: tf.TensorInfo, orientation: Orientation): tf.TensorInfo {
  return wasmOrientedProduct(backend, x, false, w, false, orientation);
}

/**
 * The orientation for a dense layer's forward x·w. Only while gradients are being recorded: then
 * the weights are fresh every step. Outside training (evaluation over many batches) the weights'
 * packed copy is cached across calls, so the direct product is the cheap one.
 */
export function forwardOrientation(x: tf.Tensor2D, w: tf.Tensor2D): Orientation {
  return forwardOrientationOf(x.shape[0], x.shape[1], w.shape[1]);
}

/** forwardOrientation for x: [m, k] and w: [k, n]. */
export function forwardOrientationOf(m: number, k: number, n: number): Orientation {
  if (tf.getBackend() !== 'wasm' || tf.engine().state.gradientDepth === 0) return 'direct';
  return cheaperOrientation(m, k, n, false, false);
}
