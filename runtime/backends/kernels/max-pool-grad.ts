// MaxPoolGrad for the wasm backend. tfjs 4.22's own wasm kernel loses the gradient of some windows
// (e.g. 2×2 pools with stride 2), so this one replaces it. Each output cell routes its gradient to
// the first position holding its window's maximum, scanning rows then columns — TensorFlow's and
// the cpu backend's tie rule, which matters after ReLU where whole windows are 0. The loop runs as
// WebAssembly SIMD (max-pool-grad-simd.ts), four channels at a time: LeNet-5's first pool's gradient
// took 1.6 ms a step in JavaScript.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { backendMemory, heapView, zeroData } from '../../../core/wasm-kernel-calls.ts';
import { piecesFor, runLoopCalls, splitRanges } from '../../../core/loop-threads.ts';
import { MAX_POOL_GRAD } from './max-pool-grad-simd.ts';

let loopInJavaScript = false;

/**
 * Runs the loop in JavaScript (true) instead of max-pool-grad-simd.ts's SIMD loop, which must give the
 * same result (tests compare the two).
 */
export function maxPoolGradInJavaScript(on: boolean): void {
  loopInJavaScript = on;
}

function maxPoolGradWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: {};
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { dy, input } = args.inputs;
  const attrs = args.attrs as unknown as tf.MaxPoolGradAttrs;
  if (dy === undefined || input === undefined) throw new Error('MaxPoolGrad needs dy and input');

  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;

  const dx = backend.makeOutput(input.shape, 'float32');
  const xs = heapView(backend, input);
  const dys = heapView(backend, dy);
  zeroData(backend, dx);
  const dxs = heapView(backend, dx);
  const memory = backendMemory(backend);
  if (memory !== undefined && !loopInJavaScript) {
    // Images split over the loop threads: an image's windows stay on one thread.
    const [inBytes, outBytes] = [4 * inHeight * inWidth * channels, 4 * outHeight * outWidth * channels];
    const calls = splitRanges(batchSize, piecesFor(memory, batchSize * inHeight * inWidth * channels)).map(([from, to]) => [
      xs.byteOffset + from * inBytes, dys.byteOffset + from * outBytes, dxs.byteOffset + from * inBytes, to - from,
      inHeight, inWidth, channels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth, top, left,
    ]);
    runLoopCalls(memory, MAX_POOL_GRAD, 'maxPoolGrad', calls);
    return dx;
  }

  // Per output pixel, all channels at once, so that every inner loop walks contiguous memory.
  const best = new Int32Array(channels);
  const bestValue = new Float32Array(channels);
  for (let b = 0; b < batchSize; b++) {
    const imageOffset = b * inHeight * inWidth * channels;
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * strideHeight - top;
      const yStart = Math.max(0, y0);
      const yEnd = Math.min(inHeight, y0 + filterHeight);
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = ox * strideWidth - left;
        const xStart = Math.max(0, x0);
        const xEnd = Math.min(inWidth, x0 + filterWidth);
        if (yStart >= yEnd || xStart >= xEnd) continue;
        // Start from the window's first position: a window of only -Infinity/NaN still passes its
        // gradient on, and strict `>` keeps the first of equal maxima.
        const first = imageOffset + (yStart * inWidth + xStart) * channels;
        for (let c = 0; c < channels; c++) {
          best[c] = first + c;
          bestValue[c] = xs[first + c]!;
        }
        for (let y = yStart; y < yEnd; y++) {
          for (let x = xStart; x < xEnd; x++) {
            const at = imageOffset + (y * inWidth + x) * channels;
            for (let c = 0; c < channels; c++) {
              const value = xs[at + c]!;
              // NaN never wins; a NaN start loses to any number (Float32 NaN !== itself).
              if (value > bestValue[c]! || (bestValue[c] !== bestValue[c] && value === value)) {
                best[c] = at + c;
                bestValue[c] = value;
              }
            }
          }
        }
        const dyOffset = ((b * outHeight + oy) * outWidth + ox) * channels;
        for (let c = 0; c < channels; c++) dxs[best[c]!] = dxs[best[c]!]! + dys[dyOffset + c]!;
      }
    }
  }
  return dx;
}

export const maxPoolGradKernel: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGradWasm,
};
