// The forward pass of every model: functional, weights passed in by parameter name, nothing kept
// between calls. Callers own the returned tensors (run it inside tf.tidy or a gradient function).
import * as tf from '@tensorflow/tfjs-core';
import type { ModelLayout } from './layout.ts';
import { convParamsOf } from './conv.ts';
import { resolveLenet5Params } from './lenet5.ts';
import { resolveMlpParams } from './mlp.ts';
import { resolveResnetParams } from './resnet.ts';
import { resolveTransformerParams } from './transformer.ts';
import { convForward } from './forward/conv.ts';
import { lenet5Forward } from './forward/lenet5.ts';
import { mlpForward } from './forward/mlp.ts';
import { resnetForward } from './forward/resnet.ts';
import { transformerForward } from './forward/transformer.ts';

export interface ForwardResult {
  /** Logits [n, classes], or [n, t, vocab] for the transformer. */
  output: tf.Tensor;
  /** Batch-norm running statistics updated by this batch (training mode, models with batch norm). */
  buffers?: Record<string, tf.Tensor>;
}

export interface ForwardOptions {
  /** Batch norm uses batch statistics (and updates the running ones) when training. */
  training: boolean;
}

export function forward(
  layout: ModelLayout,
  modelParams: Record<string, unknown>,
  weights: Record<string, tf.Tensor>,
  x: tf.Tensor,
  opts: ForwardOptions,
): ForwardResult {
  checkWeights(layout, weights, opts.training);
  switch (layout.op) {
    case 'mlp':
      return { output: mlpForward(resolveMlpParams(modelParams), weights, x) };
    case 'conv':
    case 'conv2':
    case 'conv4':
    case 'conv6':
      return { output: convForward(convParamsOf(layout.op, modelParams), weights, x) };
    case 'lenet5':
      return { output: lenet5Forward(resolveLenet5Params(modelParams), weights, x) };
    case 'resnet': {
      const { logits, buffers } = resnetForward(resolveResnetParams(modelParams), weights, x, opts.training);
      return opts.training ? { output: logits, buffers } : { output: logits };
    }
    case 'transformer':
      return { output: transformerForward(resolveTransformerParams(modelParams), weights, x) };
    default:
      throw new Error(`forward: unknown model '${layout.op}'`);
  }
}

/**
 * Every trained parameter must be present with its layout shape; buffers are needed only where they are
 * read (evaluation) and are otherwise updated when present.
 */
function checkWeights(layout: ModelLayout, weights: Record<string, tf.Tensor>, training: boolean): void {
  for (const spec of layout.params) {
    const w = weights[spec.name];
    if (w === undefined) {
      if (spec.role === 'buffer' && training) continue;
      throw new Error(`${layout.op}: weights lack '${spec.name}' (shape [${spec.shape.join(', ')}])`);
    }
    if (w.shape.length !== spec.shape.length || w.shape.some((d, i) => d !== spec.shape[i])) {
      throw new Error(
        `${layout.op}: weight '${spec.name}' has shape [${w.shape.join(', ')}], the model expects [${spec.shape.join(', ')}]`,
      );
    }
  }
}
