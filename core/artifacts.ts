// What stages produce and consume, in memory. A Checkpoint is not a Tensor[]: it is the weights of one
// model at one step of a recipe, with the mask it trains under and the optimizer state needed to resume
// bit-exactly. Plain typed arrays: the store serializes them (runtime/store/checkpoint-format.ts) and
// each backend uploads them.
import type { Json } from './json.ts';

/** `{op, version, params}` of a model, dataset or optimizer, exactly as in the stage's params. */
export interface OpRef {
  op: string;
  version: number;
  params: { [key: string]: Json };
}

export interface TensorValue {
  shape: number[];
  data: Float32Array;
}

/** Keep-masks of the prunable parameters, by parameter name (1 = kept, 0 = pruned). */
export interface Mask {
  kind: 'mask';
  model: OpRef;
  masks: Map<string, { shape: number[]; data: Uint8Array }>;
}

export interface OptimizerState {
  /** The optimizer op ('sgd', 'adam', 'adamw') the slots belong to. */
  op: string;
  /** Updates applied so far (Adam's bias correction counts them). */
  updates: number;
  /** Slot tensors by `${slot}/${parameter}`, e.g. `momentum/layer1.weight`, `m/…`, `v/…`. */
  slots: Map<string, TensorValue>;
}

export interface Checkpoint {
  kind: 'checkpoint';
  model: OpRef;
  /** The training step the weights are at (0 for an init). */
  step: number;
  /** Trainable parameters and buffers (batch-norm statistics) by parameter name. */
  weights: Map<string, TensorValue>;
  /** The mask the weights train under; absent for a dense checkpoint. */
  mask?: Mask;
  /** Present on a checkpoint in the middle of a run: resuming from it continues the run exactly. */
  optimizer?: OptimizerState;
  /** How the run's training loss went up to this checkpoint; present on what a train segment made. */
  loss?: LossHistory;
}

/**
 * A run's training loss as the divergence check (stdlib/training/divergence.ts) follows it; a segment
 * that resumes the run's optimizer state continues it, so a split run ends with the unsplit run's.
 */
export interface LossHistory {
  /** The loss of the run's first step: its start weights on the first batch. */
  initial: number;
  /** The smoothed loss after the last step. */
  smoothed: number;
  /** The mean loss of the run's last steps (the last 10, or all of a shorter run): the mean of `last`. */
  recent: number;
  /**
   * The losses of the run's last steps (at most 10), carried so that a run resumed from this checkpoint
   * ends with the same history as one trained in one go; absent in checkpoints made before it was kept.
   */
  last?: number[];
  /** The step since which the smoothed loss has stayed above the divergence threshold; absent while it is not. */
  divergedAt?: number;
  /** The run's training curve up to the checkpoint (stdlib/training/curve.ts); absent on what an older ltx made. */
  curve?: TrainingCurve;
}

/**
 * A run's training loss and learning rate every `every` steps: point i is after `step[i]` updates, with the
 * mean loss of the steps since the point before and the learning rate of the last of them.
 */
export interface TrainingCurve {
  every: number;
  step: number[];
  loss: number[];
  lr: number[];
  /** The steps after the last point (a segment may end inside an interval): their loss sum and count. */
  pending: { sum: number; steps: number };
}

/** A probe's result: one row of its table, plus optional series (loss traces, interpolation paths). */
export interface ProbeResult {
  kind: 'probe';
  metrics: { [name: string]: number };
  /** Per-layer metrics, e.g. {layer1: {remaining: 0.2, sparsity: 0.8}}. */
  layers?: { [layer: string]: { [name: string]: number } };
  /** Named series for plots: e.g. {'error': [...], 'alpha': [...]}, or chains' loss traces. */
  series?: { [name: string]: number[] | number[][] };
}

export type Artifact = Checkpoint | Mask | ProbeResult;
