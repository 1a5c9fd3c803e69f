// Evaluation of weights on a split, in batches and without gradients: the mean loss and, where the task
// has classes, the number of correct predictions (per token for language models).
import * as tf from '@tensorflow/tfjs-core';
import type { TensorValue } from '../../core/artifacts.ts';
import type { LoadedDataset } from '../datasets/index.ts';
import { forward } from '../models/forward.ts';
import type { ModelLayout } from '../models/layout.ts';
import { correct, loss, readScalars } from '../nn/losses.ts';
import { batchTensors, BatchBuffers } from './batches.ts';
import { disposeAll, uploadAll } from './weights.ts';

export interface Evaluation {
  /** Mean loss per example (per token for language models). */
  loss: number;
  /** Share of correct predictions; absent for regression. */
  accuracy?: number;
  examples: number;
}

export interface EvaluateOptions {
  layout: ModelLayout;
  modelParams: Record<string, unknown>;
  weights: Map<string, TensorValue>;
  /** The same weights already on the backend (resident tensors: read, never disposed); uploaded for this call otherwise. */
  resident?: Readonly<Record<string, tf.Tensor>>;
  dataset: LoadedDataset;
  split: 'train' | 'test';
  /** Examples per forward pass. */
  batch?: number;
}

export const EVALUATION_BATCH = 1000;

export async function evaluate(opts: EvaluateOptions): Promise<Evaluation> {
  const split = opts.dataset[opts.split];
  if (split.n === 0) throw new Error(`the ${opts.split} split of ${opts.dataset.name} has no examples`);
  const task = opts.dataset.task;
  const batch = opts.batch ?? EVALUATION_BATCH;
  // Each batch's tensors are freed by its tidy, before the next batch overwrites the buffers.
  const batches = new BatchBuffers(split, opts.layout.inputDtype, batch);
  const uploaded = opts.resident === undefined ? uploadAll(opts.weights) : undefined;
  const weights = opts.resident ?? uploaded!;
  try {
    let lossSum = 0;
    let right = 0;
    for (let from = 0; from < split.n; from += batch) {
      const count = Math.min(batch, split.n - from);
      const rows = Int32Array.from({ length: count }, (_, i) => from + i);
      const gathered = batches.gather(rows);
      const scalars = tf.tidy(() => {
        const { x: xs, y: ys } = batchTensors(gathered, count, opts.dataset.inputShape);
        const out = forward(opts.layout, opts.modelParams, weights, xs, { training: false }).output;
        return task === 'regression' ? [loss(task, out, ys)] : [loss(task, out, ys), correct(task, out, ys)];
      });
      const [batchLoss, batchRight] = await readScalars(scalars);
      // Every example weighs the same in each batch's mean (and has as many tokens as any other).
      lossSum += batchLoss! * count;
      right += batchRight ?? 0;
    }
    const result: Evaluation = { loss: lossSum / split.n, examples: split.n };
    if (task !== 'regression') result.accuracy = right / split.y.length;
    return result;
  } finally {
    disposeAll(uploaded);
  }
}
