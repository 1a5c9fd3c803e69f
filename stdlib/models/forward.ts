// The forward pass of every model, the one its layout carries: functional, weights passed in by
// parameter name, nothing kept between calls. Callers own the returned tensors (run it inside tf.tidy or
// a gradient function).
import type * as tf from '@tensorflow/tfjs-core';
import { denseShape } from '../nn/ops.ts';
import { modelModules } from './index.ts';
import type { Task } from '../nn/losses.ts';
import type { ForwardOptions, ForwardResult, LossAndGradients, ModelLayout, ModelParams, Weights } from './types.ts';

// The standard models' forward passes are modules of their own, imported on first use so that the
// commands that only compile never load TensorFlow.js. Whatever imports this file computes with them.
// A model of another library loads its own (ModelImplementation.load) before a stage computes with it.
await Promise.all(modelModules.map((m) => m.model.load()));

export type { ForwardOptions, ForwardResult } from './types.ts';

export function forward(layout: ModelLayout, modelParams: ModelParams, weights: Weights, x: tf.Tensor, opts: ForwardOptions): ForwardResult {
  checkWeights(layout, weights, opts.training);
  return layout.forward(modelParams, weights, x, opts);
}

/** The model's tape-free loss and gradients of a training batch, where it has them (ModelImplementation.lossAndGradients). */
export function lossAndGradients(layout: ModelLayout, modelParams: ModelParams, weights: Weights, x: tf.Tensor, y: tf.Tensor, task: Task): LossAndGradients | undefined {
  checkWeights(layout, weights, true);
  return layout.lossAndGradients?.(modelParams, weights, x, y, task);
}

/**
 * Every trained parameter must be present with its layout shape; buffers are needed only where they are
 * read (evaluation) and are otherwise updated when present.
 */
function checkWeights(layout: ModelLayout, weights: Weights, training: boolean): void {
  for (const spec of layout.params) {
    const w = weights[spec.name];
    if (w === undefined) {
      if (spec.role === 'buffer' && training) continue;
      throw new Error(`${layout.op}: weights lack '${spec.name}' (shape [${spec.shape.join(', ')}])`);
    }
    const shape = denseShape(w);
    if (shape.length !== spec.shape.length || shape.some((d, i) => d !== spec.shape[i])) {
      throw new Error(
        `${layout.op}: weight '${spec.name}' has shape [${shape.join(', ')}], the model expects [${spec.shape.join(', ')}]`,
      );
    }
  }
}
