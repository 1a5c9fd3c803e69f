// Kernels the wasm backend of tfjs 4.22 lacks or gets wrong, registered so that conv nets
// (Conv2DBackpropFilter, MaxPoolGrad) and embeddings (UnsortedSegmentSum, the gradient of gather)
// train on it, plus an Identity that does not copy (the engine clones every tensor it saves for a
// gradient), a SIMD Transpose of matrices (every product of a training step transposes) and a SIMD
// Sum over leading axes (every conv bias's gradient), both the same bits as the built-in ones. Checked
// against the cpu backend and finite differences in test/backends.
import * as tf from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterKernel } from './kernels/conv2d-backprop-filter.ts';
import { identityKernel } from './kernels/identity.ts';
import { leadingAxesSum } from './kernels/leading-sum.ts';
import { maxPoolGradKernel } from './kernels/max-pool-grad.ts';
import { simdTranspose } from './kernels/transpose.ts';
import { unsortedSegmentSumKernel } from './kernels/unsorted-segment-sum.ts';

export const wasmKernelFixes: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterKernel,
  maxPoolGradKernel,
  unsortedSegmentSumKernel,
  identityKernel,
];

/** Kernels that handle some cases themselves and pass the rest to the backend's own kernel. */
export const wasmKernelWrappers: readonly { kernelName: string; wrap(builtIn: tf.KernelFunc): tf.KernelFunc }[] = [
  { kernelName: tf.Transpose, wrap: simdTranspose },
  { kernelName: tf.Sum, wrap: leadingAxesSum },
];

const wrapped = new Map<string, tf.KernelFunc>();

/**
 * Registers the fixes for the 'wasm' backend, replacing a built-in kernel of the same name
 * (tf.registerKernel refuses duplicates). Safe to call any number of times. Returns the names of
 * the kernels it (re)registered on this call.
 */
export function registerWasmKernelFixes(): string[] {
  const changed: string[] = [];
  for (const fix of wasmKernelFixes) {
    const current = tf.getKernel(fix.kernelName, fix.backendName);
    if (current?.kernelFunc === fix.kernelFunc) continue;
    if (current !== undefined) tf.unregisterKernel(fix.kernelName, fix.backendName);
    tf.registerKernel(fix);
    changed.push(fix.kernelName);
  }
  for (const { kernelName, wrap } of wasmKernelWrappers) {
    const current = tf.getKernel(kernelName, 'wasm');
    if (current === undefined || current.kernelFunc === wrapped.get(kernelName)) continue;
    const kernelFunc = wrap(current.kernelFunc);
    wrapped.set(kernelName, kernelFunc);
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ ...current, kernelFunc });
    changed.push(kernelName);
  }
  return changed;
}
