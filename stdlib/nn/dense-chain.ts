// The loss and the weights' gradients of a chain of dense layers without the engine's tape, where the
// backend has the kernel (kernels/dense-chain.ts: wasm). The same bits as tf.valueAndGrads over the
// layers' forward (ops.ts linear(), relu between layers) and the classification loss (losses.ts).
import * as tf from '@tensorflow/tfjs-core';
import { crossEntropyKernelOn } from './kernels/cross-entropy.ts';
import { biasInput, DENSE_CHAIN_GRADIENTS, denseChainKernel, weightInput, type ChainActivation, type ChainLayer, type DenseChainAttrs } from './kernels/dense-chain.ts';
import { sparseKernelsAvailable, sparsePatternOfWeight } from './ops.ts';

export type { ChainActivation } from './kernels/dense-chain.ts';

export interface ChainWeights {
  /** [in, out], or compact [nnz] where marked sparse (ops.ts markSparse). */
  w: tf.Tensor;
  b?: tf.Tensor1D;
}

export interface ChainGradients {
  loss: tf.Scalar;
  /** Per layer, its weight's gradient (compact for compact weights) and its bias's, if it has one. */
  layers: { w: tf.Tensor; b?: tf.Tensor }[];
}

let registered = false;

/**
 * Mean softmax cross-entropy of the chain's logits for int32 `labels` [n], and its gradients;
 * undefined where the tape must do it (another backend, another activation).
 */
export function denseChainGradients(x: tf.Tensor2D, labels: tf.Tensor, layers: readonly ChainWeights[], activation: string): ChainGradients | undefined {
  if (tf.getBackend() !== 'wasm' || !crossEntropyKernelOn('wasm') || !sparseKernelsAvailable()) return undefined;
  if (activation !== 'relu' && activation !== 'linear') return undefined;
  if (labels.dtype !== 'int32' || labels.rank !== 1 || labels.size !== x.shape[0] || x.dtype !== 'float32') return undefined;
  if (!registered) {
    tf.registerKernel(denseChainKernel);
    registered = true;
  }
  const inputs: tf.NamedTensorMap = { x, labels };
  const chain: ChainLayer[] = layers.map(({ w, b }, l) => {
    inputs[weightInput(l)] = w;
    if (b) inputs[biasInput(l)] = b;
    const pattern = sparsePatternOfWeight(w);
    if (pattern === undefined && w.rank !== 2) throw new Error(`a dense layer needs a [in, out] weight matrix, got shape [${w.shape.join(', ')}]`);
    return pattern ? { bias: b !== undefined, pattern, compact: w.rank === 1 } : { bias: b !== undefined };
  });
  const attrs: DenseChainAttrs = { layers: chain, activation: activation as ChainActivation };
  const [loss, ...grads] = tf.engine().runKernel(DENSE_CHAIN_GRADIENTS, inputs, attrs as unknown as tf.NamedAttrMap) as unknown as tf.Tensor[];
  let k = 0;
  return {
    loss: loss as tf.Scalar,
    layers: layers.map(({ b }) => (b ? { w: grads[k++]!, b: grads[k++]! } : { w: grads[k++]! })),
  };
}
