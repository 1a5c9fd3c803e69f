// Training losses and the correct-prediction count behind accuracy, per task.
//   classification: logits [n, classes], labels int32 [n]      -> mean softmax cross-entropy
//                   (logits [n, t, classes] of a sequence model: those at the last position)
//   regression:     outputs [n, k],      targets float [n, k]  -> mean squared error (no ½)
//   language-model: logits [n, t, vocab], next tokens int32 [n, t] -> mean cross-entropy over n·t tokens
import * as tf from '@tensorflow/tfjs-core';
import { CROSS_ENTROPY, crossEntropyKernelOn } from './kernels/cross-entropy.ts';

export type Task = 'classification' | 'regression' | 'language-model';
export const TASKS: readonly Task[] = ['classification', 'regression', 'language-model'];

/** The mean loss over the batch (and over positions for language models), a scalar. */
export function loss(task: Task, output: tf.Tensor, y: tf.Tensor): tf.Scalar {
  switch (task) {
    case 'classification':
      return crossEntropy(asLogits2d(output, y, task), labels(y, output.shape[0]!, task));
    case 'regression':
      return meanSquaredError(output, y);
    case 'language-model':
      return crossEntropy(asLogits2d(output, y, task), labels(y, output.shape[0]! * (output.shape[1] ?? 0), task));
  }
}

/**
 * The losses of R replicates at once, [R], from their stacked outputs [R, n, classes] and labels [R, n]:
 * each member's the bits loss() gives for its own output and labels (every reduction runs over one
 * member's rows, the way it runs alone). Only for classification with logits [n, classes] per member;
 * undefined for anything else, which callers compute member by member.
 */
export function stackedLoss(task: Task, outputs: tf.Tensor, y: tf.Tensor): tf.Tensor1D | undefined {
  if (task !== 'classification' || outputs.rank !== 3 || y.size !== outputs.shape[0]! * outputs.shape[1]!) return undefined;
  const [count, n, classes] = outputs.shape as [number, number, number];
  const target = tf.reshape(y.dtype === 'int32' ? y : tf.cast(y, 'int32'), [count, n]);
  const logProbs = tf.logSoftmax(outputs);
  const picked = tf.sum(tf.mul(logProbs, tf.oneHot(target as tf.Tensor2D, classes)), 2);
  return tf.neg(tf.mean(picked, 1)) as tf.Tensor1D;
}

/**
 * How many predictions are right, as an int32 scalar: argmax of the logits equals the label (for a
 * language model, counted per token). Regression has no notion of a correct prediction and throws.
 * A tensor, not a number: a GPU backend reads values back only asynchronously (see readScalars).
 */
export function correct(task: Task, output: tf.Tensor, y: tf.Tensor): tf.Scalar {
  if (task === 'regression') {
    throw new Error('accuracy is not defined for a regression task; use the loss instead');
  }
  const logits = asLogits2d(output, y, task);
  const target = labels(y, logits.shape[0], task);
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), target), 'int32')));
}

/**
 * The values of scalar tensors, read asynchronously (tfjs's webgpu backend cannot read synchronously
 * in Node: its dataSync needs a browser's OffscreenCanvas), then disposed.
 */
export async function readScalars(scalars: readonly tf.Tensor[]): Promise<number[]> {
  try {
    const values = await Promise.all(scalars.map((s) => s.data()));
    return values.map((v) => v[0]!);
  } finally {
    tf.dispose([...scalars]);
  }
}

/**
 * Mean of −log softmax(logits)[label]; log-softmax subtracts the row maximum, so large logits neither
 * overflow nor lose the gradient. On wasm and cpu one kernel (and one for its gradient) with the bits
 * of the ops (kernels/cross-entropy.ts).
 */
function crossEntropy(logits: tf.Tensor2D, target: tf.Tensor1D): tf.Scalar {
  if (crossEntropyKernelOn(tf.getBackend())) return (tf.engine().runKernel(CROSS_ENTROPY, { logits, labels: target }) as tf.Tensor[])[0] as tf.Scalar;
  return crossEntropyAsOps(logits, target);
}

/** The cross-entropy as tfjs ops, one per operation: the reference the kernels match bit for bit. */
export function crossEntropyAsOps(logits: tf.Tensor2D, target: tf.Tensor1D): tf.Scalar {
  const logProbs = tf.logSoftmax(logits);
  const picked = tf.sum(tf.mul(logProbs, tf.oneHot(target, logits.shape[1])), 1);
  return tf.neg(tf.mean(picked)) as tf.Scalar;
}

function meanSquaredError(output: tf.Tensor, y: tf.Tensor): tf.Scalar {
  if (output.size !== y.size) {
    throw new Error(`regression: outputs [${output.shape.join(', ')}] and targets [${y.shape.join(', ')}] differ in size`);
  }
  // Targets of one output per example often come as [n] while the model gives [n, 1].
  const target = tf.reshape(y.dtype === 'float32' ? y : tf.cast(y, 'float32'), output.shape);
  return tf.mean(tf.square(tf.sub(output, target)));
}

/**
 * [n, classes] logits, or [n, t, vocab] flattened to [n·t, vocab]. A sequence model on a classification
 * task (a transformer on modular_addition's `a b`) answers at its last position, which attends to all.
 */
function asLogits2d(output: tf.Tensor, y: tf.Tensor, task: Task): tf.Tensor2D {
  if (task === 'classification' && output.rank === 3) {
    const [n, t, classes] = output.shape as [number, number, number];
    return tf.reshape(tf.slice(output, [0, t - 1, 0], [n, 1, classes]), [n, classes]);
  }
  const expectedRank = task === 'language-model' ? 3 : 2;
  if (output.rank !== expectedRank) {
    throw new Error(
      `${task}: expected ${expectedRank === 3 ? 'logits [n, t, vocab]' : 'logits [n, classes]'}, ` +
        `got shape [${output.shape.join(', ')}] (labels [${y.shape.join(', ')}])`,
    );
  }
  const classes = output.shape[output.rank - 1]!;
  return output.rank === 2 ? (output as tf.Tensor2D) : tf.reshape(output, [output.size / classes, classes]);
}

/** Integer class labels as int32 [count]. */
function labels(y: tf.Tensor, count: number, task: Task): tf.Tensor1D {
  if (y.size !== count) {
    throw new Error(`${task}: expected ${count} labels, got labels of shape [${y.shape.join(', ')}]`);
  }
  const flat = tf.reshape(y, [count]) as tf.Tensor1D;
  return flat.dtype === 'int32' ? flat : tf.cast(flat, 'int32');
}
