// What every optimizer is to the trainer: a per-parameter update on tensors with named state slots.
// The update math is ours (not tf.train's) so that the state is plain tensors the checkpoint can hold,
// and a run resumed from a checkpoint continues bit for bit.
import type * as tf from '@tensorflow/tfjs-core';

export interface ParameterUpdate {
  param: tf.Tensor;
  /** The new value of every slot in `slotNames`. */
  slots: Record<string, tf.Tensor>;
}

export interface TensorOptimizer {
  readonly op: 'sgd' | 'adam' | 'adamw';
  /** Names of the per-parameter state tensors (zeros before the first update), e.g. ['momentum']. */
  readonly slotNames: readonly string[];
  /**
   * One update of one parameter with learning rate `lr`; `update` counts updates from 1, this one
   * included (Adam's bias correction). Returns new tensors; the caller disposes the old ones.
   */
  apply(param: tf.Tensor, grad: tf.Tensor, slots: Record<string, tf.Tensor>, lr: number, update: number): ParameterUpdate;
}
