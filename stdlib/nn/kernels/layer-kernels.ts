// Forward kernels of stdlib/nn/ops.ts's dense and conv layers on the wasm backend. They take the
// bias as an input so that adding it costs no separate engine op (and no separate gradient op):
// per-op engine overhead is a large share of a small net's step on wasm.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callWasmKernel, release } from '../../../core/wasm-kernel-calls.ts';
import { wasmProduct, type Orientation } from './matmul-orientation.ts';

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: {};
  attrs?: tf.NamedAttrMap;
}

/** x·w (+ b): inputs x [n, in], w [in, out], optional b [out]; attrs orientation. */
export function wasmLinearForward({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const wasm = backend as BackendWasm;
  const { x, w, b } = inputs;
  if (x === undefined || w === undefined) throw new Error('linear needs x and w');
  const y = wasmProduct(wasm, x, w, (attrs?.['orientation'] ?? 'direct') as Orientation);
  if (b === undefined) return y;
  const withBias = callWasmKernel(wasm, tf.Add, { a: y, b });
  release(wasm, y);
  return withBias;
}

/** NHWC conv with an HWIO kernel (+ b): inputs x, w, optional b [out]; attrs stride, pad. */
export function wasmConv2dForward({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, w, b } = inputs;
  if (x === undefined || w === undefined) throw new Error('conv2d needs x and w');
  return callWasmKernel(backend as BackendWasm, tf.FusedConv2D, { x, filter: w, bias: b }, {
    strides: attrs?.['stride'],
    pad: attrs?.['pad'],
    dataFormat: 'NHWC',
    dilations: 1,
    activation: 'linear',
  });
}
