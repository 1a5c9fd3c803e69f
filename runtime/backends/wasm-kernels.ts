// Kernels the wasm backend of tfjs 4.22 lacks or gets wrong, registered so that conv nets
// (Conv2DBackpropFilter, MaxPoolGrad) and embeddings (UnsortedSegmentSum, the gradient of gather)
// train on it, plus an Identity that does not copy (the engine clones every tensor it saves for a
// gradient). Checked against the cpu backend and finite differences in test/backends.
import * as tf from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterKernel } from './kernels/conv2d-backprop-filter.ts';
import { identityKernel } from './kernels/identity.ts';
import { maxPoolGradKernel } from './kernels/max-pool-grad.ts';
import { unsortedSegmentSumKernel } from './kernels/unsorted-segment-sum.ts';

export const wasmKernelFixes: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterKernel,
  maxPoolGradKernel,
  unsortedSegmentSumKernel,
  identityKernel,
];

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
  return changed;
}
