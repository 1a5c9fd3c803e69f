// Shared by the backend tests: seeded inputs, gradients computed on a chosen backend, central
// finite differences, and tolerant comparisons.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../runtime/backends/select.ts';
import { createRng } from '../../stdlib/random.ts';

export type Backend = 'cpu' | 'wasm' | 'webgpu';

/** An input as plain numbers, so the same values can be made into tensors on any backend. */
export interface Input {
  shape: number[];
  values: Float32Array | Int32Array;
  dtype: 'float32' | 'int32';
}

export function normalInput(shape: number[], purpose: string, std = 1): Input {
  const values = createRng(7, `test/backends/${purpose}`).fillNormal(
    new Float32Array(shape.reduce((a, b) => a * b, 1)),
    0,
    std,
  );
  return { shape, values, dtype: 'float32' };
}

export function intInput(shape: number[], values: number[]): Input {
  return { shape, values: Int32Array.from(values), dtype: 'int32' };
}

export async function useBackend(backend: Backend): Promise<void> {
  const choice = await initBackend(backend);
  assert.equal(choice.name, backend);
}

export function tensorOf(input: Input): tf.Tensor {
  return tf.tensor(input.values, input.shape, input.dtype);
}

/**
 * The scalar every gradient test differentiates: Σ f(inputs) ⊙ R for a fixed random R, so that
 * every output element carries a different weight (a plain sum would hide permuted gradients).
 */
export function projected(f: (...xs: tf.Tensor[]) => tf.Tensor): (...xs: tf.Tensor[]) => tf.Scalar {
  return (...xs) => {
    const y = f(...xs);
    const weights = createRng(11, `test/backends/projection/${y.shape.join('x')}`).fillNormal(new Float32Array(y.size));
    return tf.sum(tf.mul(y, tf.tensor(weights, y.shape)));
  };
}

/** Gradients of `loss` w.r.t. the float inputs listed in `wrt`, computed on `backend`. */
export async function gradientsOn(
  backend: Backend,
  loss: (...xs: tf.Tensor[]) => tf.Scalar,
  inputs: Input[],
  wrt: number[] = inputs.map((_, i) => i),
): Promise<Float32Array[]> {
  await useBackend(backend);
  return tf.tidy(() => {
    const tensors = inputs.map(tensorOf);
    const grads = tf.grads((...xs: tf.Tensor[]) => {
      const all = tensors.map((t, i) => (wrt.includes(i) ? xs[wrt.indexOf(i)]! : t));
      return loss(...all);
    })(wrt.map((i) => tensors[i]!));
    return grads.map((g) => g.dataSync() as Float32Array);
  });
}

/** Values of `f` computed on `backend`. */
export async function valuesOn(backend: Backend, f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: Input[]): Promise<Float32Array> {
  await useBackend(backend);
  return tf.tidy(() => f(...inputs.map(tensorOf)).dataSync() as Float32Array);
}

/**
 * Central finite differences (L(x + h·e_i) − L(x − h·e_i)) / 2h of input `which`, in float32 on the
 * active backend, at up to `maxPoints` evenly spread elements (all of them for tiny inputs).
 * Returns the indices probed and the estimates.
 */
export function finiteDifferences(
  loss: (...xs: tf.Tensor[]) => tf.Scalar,
  inputs: Input[],
  which: number,
  h: number,
  maxPoints = 48,
): { indices: number[]; estimates: number[] } {
  const target = inputs[which]!;
  const size = target.values.length;
  const step = Math.max(1, Math.floor(size / maxPoints));
  const indices: number[] = [];
  for (let i = 0; i < size; i += step) indices.push(i);
  const at = (delta: number, index: number) =>
    tf.tidy(() => {
      const shifted = Float32Array.from(target.values);
      shifted[index] = shifted[index]! + delta;
      const xs = inputs.map((input, i) => (i === which ? tf.tensor(shifted, input.shape) : tensorOf(input)));
      return loss(...xs).dataSync()[0]!;
    });
  const estimates = indices.map((index) => (at(h, index) - at(-h, index)) / (2 * h));
  return { indices, estimates };
}

/** Largest |actual − expected| over all elements, relative to the largest |expected|. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length, 'compared arrays differ in length');
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return scale === 0 ? worst : worst / scale;
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  const error = relativeError(actual, expected);
  assert.ok(error <= tolerance, `${what}: relative error ${error.toExponential(2)} > ${tolerance}`);
}

/** Backend-independent tolerance between wasm and cpu: float32 sums in a different order. */
export const CROSS_BACKEND_TOLERANCE = 1e-4;

/**
 * Finite differences in float32: the two losses are sums of a few hundred float32 terms, each
 * rounded to 2⁻²⁴ relative, so an estimate with h = 1e-3 carries an error up to about
 * 2⁻²⁴·Σ|terms|/h ≈ 1e-3 for these tiny inputs; there is no truncation error, since the functions
 * tested are (piecewise) linear in each input and no ReLU or max-pool kink lies within h of the
 * seeded inputs (a kink would show as one wildly wrong estimate). A tolerance of 1e-2 relative
 * to the largest gradient leaves room for the rounding and still catches any wrong index, sign
 * or factor.
 */
export const FINITE_DIFFERENCE_STEP = 1e-3;
export const FINITE_DIFFERENCE_TOLERANCE = 1e-2;

export function assertMatchesFiniteDifferences(
  gradient: Float32Array,
  loss: (...xs: tf.Tensor[]) => tf.Scalar,
  inputs: Input[],
  which: number,
  what: string,
): void {
  const { indices, estimates } = finiteDifferences(loss, inputs, which, FINITE_DIFFERENCE_STEP);
  const analytic = indices.map((i) => gradient[i]!);
  const error = relativeError(analytic, estimates);
  assert.ok(
    error <= FINITE_DIFFERENCE_TOLERANCE,
    `${what}: gradient differs from finite differences by ${error.toExponential(2)} (relative)`,
  );
}

/** A conv's geometry for the kernel tests: NHWC input, kernel size, output channels, stride, padding. */
export interface ConvCase {
  x: [number, number, number, number];
  kernel: [number, number];
  outChannels: number;
  stride: number | [number, number];
  pad: 'same' | 'valid';
}
