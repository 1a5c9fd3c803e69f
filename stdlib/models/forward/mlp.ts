import * as tf from '@tensorflow/tfjs-core';
import { linear } from '../../nn/ops.ts';
import type { MlpParams } from '../mlp.ts';
import { mlpLayers } from '../mlp.ts';
import { activate, flatten, matrixOf, vectorOf, type Weights } from './layers.ts';

/** Logits [n, classes] of an mlp; inputs [n, ...] are flattened to [n, input]. */
export function mlpForward(p: MlpParams, weights: Weights, x: tf.Tensor): tf.Tensor2D {
  let h = flatten(x, p.input, 'mlp');
  for (const { layer } of mlpLayers(p)) {
    const b = p.bias ? vectorOf(weights, `${layer}.bias`) : undefined;
    h = linear(h, matrixOf(weights, `${layer}.weight`), b);
    if (layer !== 'output') h = activate(h, p.activation);
  }
  return h;
}
