// Conv2DBackpropFilter for the wasm backend, which ships none (tfjs 4.22).
//
// dW[kh, kw, :, :] = Xᵀ_tap · dY, where X_tap is the [N·Ho·Wo, Cin] matrix of input pixels that
// filter tap (kh, kw) touched. Building X_tap already transposed ([Cin, N·Ho·Wo]) from a
// channels-first copy of the padded input makes every product a plain matMul, the one the wasm
// backend does fast (its matMul with transpose flags is ~8× slower). One tap at a time keeps the
// extra memory at one input-sized slice instead of a KH·KW times larger im2col matrix.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { assertChannelsLast, callWasmKernel, heapView, release } from './wasm-calls.ts';

function conv2dBackpropFilterWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: {};
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x, dy } = args.inputs;
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (x === undefined || dy === undefined) throw new Error('Conv2DBackpropFilter needs x and dy');
  assertChannelsLast(tf.Conv2DBackpropFilter, attrs.dataFormat);

  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const { top, left } = info.padInfo;
  const rows = batchSize * outHeight * outWidth;

  // Padding so that every tap's window of output positions lies inside the array.
  const bottom = Math.max(0, (outHeight - 1) * sh + kh - inHeight - top);
  const right = Math.max(0, (outWidth - 1) * sw + kw - inWidth - left);

  const owned: tf.TensorInfo[] = [];
  const channelsFirst = callWasmKernel(backend, tf.Transpose, { x }, { perm: [3, 0, 1, 2] });
  owned.push(channelsFirst);
  let padded = channelsFirst;
  if (top > 0 || bottom > 0 || left > 0 || right > 0) {
    padded = callWasmKernel(backend, tf.PadV2, { x: channelsFirst }, {
      paddings: [[0, 0], [0, 0], [top, bottom], [left, right]],
      constantValue: 0,
    });
    owned.push(padded);
  }
  const dy2d = callWasmKernel(backend, tf.Reshape, { x: dy }, { shape: [rows, outChannels] });
  owned.push(dy2d);

  const dw = backend.makeOutput([kh, kw, inChannels, outChannels], 'float32');
  const tapSize = inChannels * outChannels;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const window =
        sh === 1 && sw === 1
          ? callWasmKernel(backend, tf.Slice, { x: padded }, {
              begin: [0, 0, i, j],
              size: [inChannels, batchSize, outHeight, outWidth],
            })
          : callWasmKernel(backend, tf.StridedSlice, { x: padded }, {
              begin: [0, 0, i, j],
              end: [inChannels, batchSize, i + (outHeight - 1) * sh + 1, j + (outWidth - 1) * sw + 1],
              strides: [1, 1, sh, sw],
              beginMask: 0,
              endMask: 0,
              ellipsisMask: 0,
              newAxisMask: 0,
              shrinkAxisMask: 0,
            });
      const windowT = callWasmKernel(backend, tf.Reshape, { x: window }, { shape: [inChannels, rows] });
      const tap = callWasmKernel(backend, tf.BatchMatMul, { a: windowT, b: dy2d }, {
        transposeA: false,
        transposeB: false,
      });
      // Taps written in (kh, kw) order are exactly the HWIO filter layout.
      heapView(backend, dw).set(heapView(backend, tap), (i * kw + j) * tapSize);
      release(backend, window, windowT, tap);
    }
  }
  release(backend, ...owned);
  return dw;
}

export const conv2dBackpropFilterKernel: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilterWasm,
};
