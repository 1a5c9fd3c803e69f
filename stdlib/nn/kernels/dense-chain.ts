// A chain of dense layers (an mlp) differentiated without the engine's tape, as one wasm kernel:
// the mean softmax cross-entropy of its logits and the gradient of every weight and bias.
//
// The taped step runs ~43 engine kernels for LeNet-300-100 (the forward, the gradient functions,
// the tape's copies of saved tensors), and the engine's work around each costs more than a sparse
// level's arithmetic. This kernel calls, in order, the backend kernels those gradient functions
// call, on the same inputs, so the loss and every gradient are the same bits:
//  - forward: each layer's own kernel (ops.ts linear(): the sparse kernel where the weight has a
//    pattern, else the oriented dense product with the bias fused), ReLU between layers;
//  - the loss and its gradient: cross-entropy.ts's two kernels, seeded with the tape's dy of 1;
//  - each layer backwards, as ops.ts's linearGradient / sparseLinearGradient compute it: the weight
//    gradient, the bias gradient (Sum over the batch), and the input gradient for every layer but
//    the first; ReLU's gradient as tfjs's (dy · step(x); its float32→float32 cast only copies).
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callWasmKernel, callWasmKernelOutputs, release } from '../../../core/wasm-kernel-calls.ts';
import { CROSS_ENTROPY, CROSS_ENTROPY_GRAD } from './cross-entropy.ts';
import { wasmLinearForward } from './layer-kernels.ts';
import { cheaperOrientation, wasmOrientedProduct } from './matmul-orientation.ts';
import { SPARSE_LINEAR, SPARSE_LINEAR_INPUT_GRAD, SPARSE_LINEAR_WEIGHT_GRAD, type SparsePattern } from './sparse-linear.ts';

export const DENSE_CHAIN_GRADIENTS = 'LtxDenseChainGradients';

export type ChainActivation = 'relu' | 'linear';

/** One layer of the chain: its weight's sparse pattern (if it runs sparse, compact or not) and whether it has a bias. */
export interface ChainLayer {
  bias: boolean;
  pattern?: SparsePattern;
  /** The weight is the pattern's nonzeros alone ([nnz]); only with a pattern. */
  compact?: boolean;
}

export interface DenseChainAttrs {
  layers: ChainLayer[];
  /** Between layers (not after the last). */
  activation: ChainActivation;
}

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: {};
  attrs?: tf.NamedAttrMap;
}

/** The input names of layer `l`'s weight and bias. */
export const weightInput = (l: number) => `w${l}`;
export const biasInput = (l: number) => `b${l}`;

/** op(l)·op(r) as matmul-orientation.ts's product() computes it (the orientation it would pick). */
function product(backend: BackendWasm, l: tf.TensorInfo, transposeL: boolean, r: tf.TensorInfo, transposeR: boolean): tf.TensorInfo {
  const [m, k] = transposeL ? [l.shape[1]!, l.shape[0]!] : [l.shape[0]!, l.shape[1]!];
  const n = transposeR ? r.shape[0]! : r.shape[1]!;
  return wasmOrientedProduct(backend, l, transposeL, r, transposeR, cheaperOrientation(m, k, n, transposeL, transposeR));
}

/** Outputs: the loss, then per layer its weight's gradient and (if it has one) its bias's. Inputs: x [n, in], labels int32 [n], w0, b0, … */
function denseChainGradients({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const wasm = backend as BackendWasm;
  const { layers, activation } = attrs as unknown as DenseChainAttrs;
  const x = inputs['x'];
  const labels = inputs['labels'];
  if (x === undefined || labels === undefined) throw new Error('the dense chain needs x and labels');
  const made: tf.TensorInfo[] = [];
  const temp = (info: tf.TensorInfo) => (made.push(info), info);
  const weightOf = (l: number) => inputs[weightInput(l)]!;
  const biasOf = (l: number) => (layers[l]!.bias ? inputs[biasInput(l)] : undefined);

  // Forward: each layer's input, and the pre-activation units the activation's gradient reads.
  const layerInputs: tf.TensorInfo[] = [];
  const preActivations: tf.TensorInfo[] = [];
  let h = x;
  layers.forEach((layer, l) => {
    layerInputs.push(h);
    const w = weightOf(l);
    const b = biasOf(l);
    const linearInputs: tf.NamedTensorInfoMap = b ? { x: h, w, b } : { x: h, w };
    const y = temp(
      layer.pattern
        ? callWasmKernel(wasm, SPARSE_LINEAR, linearInputs, { pattern: layer.pattern, compact: layer.compact === true })
        : wasmLinearForward({ inputs: linearInputs, backend: wasm, attrs: { orientation: cheaperOrientation(h.shape[0]!, h.shape[1]!, w.shape[1]!, false, false) } }),
    );
    const last = l === layers.length - 1;
    preActivations.push(y);
    h = last || activation === 'linear' ? y : temp(callWasmKernel(wasm, tf.Relu, { x: y }));
  });
  const [loss, logProbs, oneHot] = callWasmKernelOutputs(wasm, CROSS_ENTROPY, { logits: h, labels }) as [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo];
  temp(logProbs);
  temp(oneHot);
  // The tape seeds the loss's gradient with ones of its shape.
  const seed = temp({ dataId: wasm.write(Float32Array.of(1), [], 'float32'), shape: [], dtype: 'float32' });
  let dy = temp(callWasmKernel(wasm, CROSS_ENTROPY_GRAD, { dy: seed, logProbs, oneHot }));

  const gradients: tf.TensorInfo[][] = [];
  for (let l = layers.length - 1; l >= 0; l--) {
    const layer = layers[l]!;
    const input = layerInputs[l]!;
    const w = weightOf(l);
    const sparse = layer.pattern ? { pattern: layer.pattern, compact: layer.compact === true } : undefined;
    const dw = sparse ? callWasmKernel(wasm, SPARSE_LINEAR_WEIGHT_GRAD, { x: input, dy }, sparse) : product(wasm, input, true, dy, false);
    gradients[l] = layer.bias ? [dw, callWasmKernel(wasm, tf.Sum, { x: dy }, { axis: 0, keepDims: false })] : [dw];
    if (l === 0) break;
    const dx = temp(sparse ? callWasmKernel(wasm, SPARSE_LINEAR_INPUT_GRAD, { dy, w }, sparse) : product(wasm, dy, false, w, true));
    dy = activation === 'linear' ? dx : temp(callWasmKernel(wasm, tf.Multiply, { a: dx, b: temp(callWasmKernel(wasm, tf.Step, { x: preActivations[l - 1]! }, { alpha: 0 })) }));
  }
  release(wasm, ...made);
  return [loss, ...gradients.flat()];
}

export const denseChainKernel: tf.KernelConfig = {
  kernelName: DENSE_CHAIN_GRADIENTS,
  backendName: 'wasm',
  kernelFunc: denseChainGradients as unknown as tf.KernelFunc,
};
