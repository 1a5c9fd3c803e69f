// What every optimizer is to the trainer: a per-parameter update on tensors with named state slots, and
// the learning-rate schedule it follows. The update math is ours (not tf.train's) so that the state is
// plain tensors the checkpoint can hold, and a run resumed from a checkpoint continues bit for bit.
// The optimizer and schedule modules read their settings from the descriptor a train stage carries:
// `{op, version, lr, batch, warmup, decay?, …}` with quantities already resolved to steps and every
// default filled by the compiler.
import type * as tf from '@tensorflow/tfjs-core';
import type { OpModule } from '../../core/op.ts';
import type { Formula } from '../nn/formula.ts';

export interface ParameterUpdate {
  param: tf.Tensor;
  /** The new value of every slot in `slotNames`. */
  slots: Record<string, tf.Tensor>;
}

export interface TensorOptimizer {
  /** The optimizer op its slots belong to ('sgd', 'adam', …). */
  readonly op: string;
  /** Names of the per-parameter state tensors (zeros before the first update), e.g. ['momentum']. */
  readonly slotNames: readonly string[];
  /** The update as one elementwise formula: inputs 'param', 'grad' and the slots; outputs 'param' and the slots. */
  readonly update: Formula;
  /** The update formula's scalars at update number `update` (counting from 1) with learning rate `lr`. */
  scalarsAt(lr: number, update: number): Record<string, number>;
  /**
   * One update of one parameter with learning rate `lr`; `update` counts updates from 1, this one
   * included (Adam's bias correction). With a mask (0s and 1s), the gradient is masked before the
   * update and the new parameter and slots after it, so masked weights stay exactly zero whatever the
   * optimizer would do (momentum, weight decay, Adam's ε). Returns new tensors; the caller disposes
   * the old ones.
   */
  apply(param: tf.Tensor, grad: tf.Tensor, slots: Record<string, tf.Tensor>, lr: number, update: number, mask?: tf.Tensor): ParameterUpdate;
}

/** A descriptor as it arrives in a stage's params. */
export type Descriptor = { [key: string]: unknown };

/** A learning-rate decay: the schedule op it comes from and that op's own settings. */
export interface DecayConfig {
  op: string;
}

export interface ScheduleConfig {
  lr: number;
  /** Linear warmup length in steps (0: none). */
  warmup: number;
  decay?: DecayConfig;
}

/** An optimizer's settings: the schedule every optimizer shares and its op's own. */
export interface OptimizerConfig extends ScheduleConfig {
  op: string;
}

export interface OptimizerModule<Config extends OptimizerConfig = OptimizerConfig> extends OpModule {
  lowering: { rule: 'optimizer' };
  optimizer: {
    /** Its settings from a descriptor, past the shared schedule; throws an Error naming the bad field. */
    read(descriptor: Descriptor, schedule: ScheduleConfig, where: string): Config;
    /** Its update on tensors, from a module imported on first use: only a training stage needs TensorFlow.js. */
    load(): Promise<{ create(config: Config): TensorOptimizer }>;
  };
}

export interface ScheduleModule<Decay extends DecayConfig = DecayConfig> extends OpModule {
  lowering: { rule: 'schedule' };
  schedule: {
    /** Its settings from a `decay` descriptor; throws an Error naming the bad field. */
    read(descriptor: Descriptor, where: string): Decay;
    /**
     * What the learning rate is multiplied by at `step` (0-based) of a recipe `totalSteps` long whose
     * warmup lasts `warmup` steps.
     */
    factor(decay: Decay, step: number, totalSteps: number, warmup: number): number;
  };
}
