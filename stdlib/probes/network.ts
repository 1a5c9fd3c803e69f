// A checkpoint's network seen as a function of its trainable parameters, the view the tangent-space
// and SGLD probes need: f(θ; x) with θ a list of tensors in layout order, the batch-norm running
// statistics held fixed, and evaluation-mode forwards (so f depends on θ alone, not on the batch).
import * as tf from '@tensorflow/tfjs-core';
import type { Checkpoint, Mask, OpRef, TensorValue } from '../../core/artifacts.ts';
import type { OpCatalog } from '../../core/op.ts';
import type { LoadedDataset } from '../datasets/index.ts';
import { forward } from '../models/forward.ts';
import type { ModelLayout, ParamSpec } from '../models/layout.ts';
import { layoutOf } from '../stage-support/models.ts';
import { batchTensors, gatherRows, rowWidths, targetDtype } from '../training/batches.ts';

export interface Network {
  layout: ModelLayout;
  modelParams: Record<string, unknown>;
  /** The trained parameters (everything but buffers), in forward order: the coordinates of θ. */
  trainable: ParamSpec[];
}

/** The network of `model`, as `library` (the one the runtime was given) has it. */
export function networkOf(model: OpRef, library: OpCatalog): Network {
  const layout = layoutOf(model, library);
  return { layout, modelParams: model.params, trainable: layout.params.filter((spec) => spec.role !== 'buffer') };
}

/** θ of `checkpoint` on the backend, one tensor per trainable parameter. */
export function uploadParams(net: Network, checkpoint: Checkpoint): tf.Tensor[] {
  return net.trainable.map((spec) => {
    const value = checkpoint.weights.get(spec.name);
    if (!value) throw new Error(`the checkpoint has no weights '${spec.name}'`);
    return tf.tensor(value.data, value.shape, 'float32');
  });
}

/** The checkpoint's buffers (batch-norm running statistics), which the forward reads but θ excludes. */
export function uploadBuffers(net: Network, checkpoint: Checkpoint): Record<string, tf.Tensor> {
  const buffers: Record<string, tf.Tensor> = {};
  for (const spec of net.layout.params) {
    if (spec.role !== 'buffer') continue;
    const value = checkpoint.weights.get(spec.name);
    if (value) buffers[spec.name] = tf.tensor(value.data, value.shape, 'float32');
  }
  return buffers;
}

/** Per trainable parameter, its 0/1 keep-mask as a float tensor, or undefined where nothing is pruned. */
export function uploadMasks(net: Network, mask: Mask | undefined): (tf.Tensor | undefined)[] {
  return net.trainable.map((spec) => {
    const m = mask?.masks.get(spec.name);
    return m ? tf.tensor(Float32Array.from(m.data), m.shape, 'float32') : undefined;
  });
}

/** f(θ; x): the network's outputs in evaluation mode (logits, regression outputs, or [n, t, vocab]). */
export function outputsOf(net: Network, params: tf.Tensor[], buffers: Record<string, tf.Tensor>, x: tf.Tensor): tf.Tensor {
  const weights: Record<string, tf.Tensor> = { ...buffers };
  net.trainable.forEach((spec, i) => { weights[spec.name] = params[i]!; });
  return forward(net.layout, net.modelParams, weights, x, { training: false }).output;
}

/** Rows `rows` of a split as tensors: inputs in the dtype the model reads, targets as the loss wants them. */
export function examplesOf(net: Network, dataset: LoadedDataset, split: 'train' | 'test', rows: ArrayLike<number>): { x: tf.Tensor; y: tf.Tensor } {
  const data = dataset[split];
  const widths = rowWidths(data);
  const batch = { x: gatherRows(data.x, widths.x, rows, net.layout.inputDtype), y: gatherRows(data.y, widths.y, rows, targetDtype(data)) };
  return batchTensors(batch, rows.length, dataset.inputShape);
}

/** ‖θ‖₂ over every trainable parameter of a checkpoint, accumulated in float64. */
export function parameterNorm(net: Network, weights: Map<string, TensorValue>): number {
  let sum = 0;
  for (const spec of net.trainable) {
    const data = weights.get(spec.name)?.data;
    if (data) for (let i = 0; i < data.length; i++) sum += data[i]! * data[i]!;
  }
  return Math.sqrt(sum);
}

export function disposeTensors(tensors: (tf.Tensor | undefined)[] | Record<string, tf.Tensor>): void {
  for (const t of Object.values(tensors)) t?.dispose();
}
