// The training loop: one segment [from, to) of a recipe, from a checkpoint at step `from` to a
// checkpoint at step `to` that carries everything needed to continue (optimizer slots and update count).
// A long segment may hand out checkpoints of steps in between (`checkpoints`): the same bits as a
// segment that ended there.
//
// Weights, slots and masks stay on the backend for the whole segment; each step runs in one tidy.
// Determinism: step t's batch and learning rate are functions of t alone (data-order.ts, learningRateAt)
// and the state crosses a split as exact float32 values, so [a, k) then [k, b) gives the bits of [a, b).
// Masks: the gradient, every slot and the updated weights are multiplied by the mask, so masked weights
// stay exactly zero whatever the optimizer (momentum, weight decay, Adam's ε) would do.
// Sparse layers train compact (compact-weights.ts): their kept weights and slots alone, same bits.
// The start's weights and mask may be resident tensors shared with other stages (the runtime's, through
// the stage context): the segment reads them and never disposes or changes them; every step makes new
// tensors for what it updates.
import * as tf from '@tensorflow/tfjs-core';
import type { Checkpoint, OptimizerState, TensorValue } from '../../core/artifacts.ts';
import type { CheckpointPolicy, TensorSource } from '../../core/op.ts';
import type { LoadedDataset } from '../datasets/index.ts';
import { gatherRows } from '../datasets/split.ts';
import { forward, lossAndGradients } from '../models/forward.ts';
import type { ModelLayout } from '../models/layout.ts';
import { loss } from '../nn/losses.ts';
import { markSparse, sparseKernelsAvailable, sparsePatternOf, type SparsePattern } from '../nn/ops.ts';
import { createOptimizer, learningRateAt, type OptimizerConfig, type TensorOptimizer } from '../optimizers/index.ts';
import { batchTensors, BatchBuffers } from './batches.ts';
import { DataOrder } from './data-order.ts';
import { compactParameter, scatterInto, type CompactParameter } from './compact-weights.ts';
import { CurveRecorder } from './curve.ts';
import { DivergenceWatch } from './divergence.ts';
import { IntermediateCommits } from './intermediate-commits.ts';
import { LossMonitor, type TrainingProgress } from './loss-monitor.ts';
import { downloadTensor, ownTensors, uploadTensor } from './weights.ts';

export { TrainingDiverged } from './loss-monitor.ts';
export type { TrainingProgress } from './loss-monitor.ts';

export interface SegmentOptions {
  layout: ModelLayout;
  /** The model's validated parameters (what its forward reads). */
  modelParams: Record<string, unknown>;
  dataset: LoadedDataset;
  split: 'train' | 'test';
  optimizer: OptimizerConfig;
  batch: number;
  /** The recipe's last step: the horizon of the learning-rate schedule. */
  totalSteps: number;
  /** Seed of the data order. */
  order: number;
  from: number;
  to: number;
  /** The weights at step `from`; its mask is kept, its optimizer state resumed if it is this optimizer's. */
  start: Checkpoint;
  /**
   * Where the start's weights and mask are on the backend (the runtime's resident tensors); without it
   * they are uploaded for this segment and disposed at its end.
   */
  tensors?: TensorSource;
  signal?: AbortSignal;
  onProgress?: (p: TrainingProgress) => void;
  /** Intermediate checkpoints: when, and where they go. */
  checkpoints?: CheckpointPolicy;
  /** Report (and check the losses) after this many steps or milliseconds, whichever first. */
  reportEverySteps?: number;
  reportEveryMs?: number;
  /**
   * Sparse layers train compact (the default); false trains them as masked dense tensors, the
   * reference whose bits the compact form must give (tests).
   */
  compactSparse?: boolean;
  /**
   * Differentiate every step with the engine's tape, even where the model has tape-free gradients
   * (ModelImplementation.lossAndGradients): the reference whose bits those must give (tests).
   */
  tapeGradients?: boolean;
}

/** The slot tensor key of a checkpoint's optimizer state: `${slot}/${parameter}`. */
export function slotKey(slot: string, parameter: string): string {
  return `${slot}/${parameter}`;
}

/** What a segment keeps on the backend between steps. */
interface State {
  params: Record<string, tf.Tensor>;
  /** Slot tensors by parameter, then slot name. */
  slots: Record<string, Record<string, tf.Tensor>>;
  /** Batch-norm running statistics. */
  buffers: Record<string, tf.Tensor>;
  masks: Record<string, tf.Tensor>;
  /** Masked parameters sparse enough for sparse layer kernels (a rule of the mask: nn/ops.ts). */
  patterns: Record<string, SparsePattern>;
  /** Parameters held compact ([nnz]: their params and slots), and how to make them dense again. */
  compact: Record<string, CompactParameter>;
  /** Optimizer updates applied so far. */
  updates: number;
  /** Tensors the segment reads but does not own (the start's weights and mask): never disposed here. */
  borrowed: ReadonlySet<tf.Tensor>;
}

export async function trainSegment(opts: SegmentOptions): Promise<Checkpoint> {
  const { start, from, to } = opts;
  if (start.step !== from) throw new Error(`the start checkpoint is at step ${start.step}, but the segment starts at step ${from}`);
  if (!(to > from)) throw new Error(`the segment [${from}, ${to}) is empty`);
  const optimizer = await createOptimizer(opts.optimizer);
  const split = opts.dataset[opts.split];
  const order = new DataOrder(opts.order, split.n, opts.batch);
  // A step's batch tensors are freed by its tidy, before the next step overwrites the buffers.
  const batches = new BatchBuffers(split, opts.layout.inputDtype, opts.batch);
  const ownUploads = opts.tensors === undefined ? ownTensors() : undefined;
  const state: State = { params: {}, slots: {}, buffers: {}, masks: {}, patterns: {}, compact: {}, updates: 0, borrowed: new Set() };
  // A segment that resumes the run's optimizer state continues its run, and so its loss history.
  const resumed = resumableState(start.optimizer, optimizer) ? start.loss : undefined;
  const watch = new DivergenceWatch(resumed);
  const curve = new CurveRecorder({ steps: opts.totalSteps, learningRateAt: (t) => learningRateAt(opts.optimizer, t, opts.totalSteps), resumed: resumed?.curve });
  const monitor = new LossMonitor({
    from, to, onProgress: opts.onProgress, everySteps: opts.reportEverySteps, everyMs: opts.reportEveryMs, watchers: [watch, curve],
  });
  const commits = opts.checkpoints === undefined ? undefined : new IntermediateCommits(opts.checkpoints, from);
  try {
    uploadState(opts, opts.tensors ?? ownUploads!, optimizer, state);
    for (let t = from; t < to; t++) {
      throwIfAborted(opts.signal);
      const rows = order.batchAt(t);
      const batch = batches.gather(rows);
      const lr = learningRateAt(opts.optimizer, t, opts.totalSteps);
      state.updates += 1;
      const next = tf.tidy(() => step(opts, state, optimizer, lr, batchTensors(batch, rows.length, opts.dataset.inputShape)));
      replaceState(state, next);
      await monitor.record(next.loss);
      const done = t + 1;
      if (commits !== undefined && done < to && commits.due(done)) {
        // Every loss up to here must be in the history the checkpoint carries.
        await monitor.flush();
        await commits.commit(await checkpointOf(opts, state, optimizer, done, watch, curve));
        opts.onProgress?.({ step: done - from, total: to - from, committed: done });
      }
    }
    throwIfAborted(opts.signal);
    return await checkpointOf(opts, state, optimizer, to, watch, curve);
  } finally {
    monitor.dispose();
    disposeState(state);
    ownUploads?.end();
  }
}

/**
 * The start checkpoint on the backend: weights, masks and buffers borrowed from `tensors`, and the
 * optimizer state it resumes (uploaded for this segment: only the next segment reads it).
 */
function uploadState(opts: SegmentOptions, tensors: TensorSource, optimizer: TensorOptimizer, state: State): void {
  const { start } = opts;
  const resumed = resumableState(start.optimizer, optimizer);
  state.updates = resumed?.updates ?? 0;
  for (const spec of opts.layout.params) {
    if (spec.role !== 'buffer' && !start.weights.has(spec.name)) throw new Error(`the start checkpoint has no weights '${spec.name}'`);
  }
  const weights = tensors.weightsOf(start);
  const masks = start.mask ? tensors.masksOf(start.mask) : {};
  state.borrowed = new Set([...Object.values(weights), ...Object.values(masks)]);
  for (const spec of opts.layout.params) {
    const value = weights[spec.name];
    if (spec.role === 'buffer') {
      if (value) state.buffers[spec.name] = value;
      continue;
    }
    const saved = optimizer.slotNames.map((slot) => resumed?.slots.get(slotKey(slot, spec.name)));
    const slots: Record<string, tf.Tensor> = (state.slots[spec.name] = {});
    const keep = start.mask?.masks.get(spec.name);
    const pattern = keep && sparsePatternOf(keep.data, keep.shape);
    if (pattern) state.patterns[spec.name] = pattern;
    const compact = pattern && opts.compactSparse !== false && sparseKernelsAvailable() ? compactParameter(pattern, start.weights.get(spec.name)!, saved) : undefined;
    if (compact) {
      // Every entry is a kept one: no mask.
      state.compact[spec.name] = compact;
      state.params[spec.name] = tf.tensor(gatherRows(compact.start.data, 1, compact.indices));
      optimizer.slotNames.forEach((slot, j) => {
        slots[slot] = saved[j] ? tf.tensor(gatherRows(saved[j].data, 1, compact.indices)) : tf.zeros([compact.indices.length]);
      });
      continue;
    }
    state.params[spec.name] = value!;
    optimizer.slotNames.forEach((slot, j) => {
      slots[slot] = saved[j] ? uploadTensor(saved[j]) : tf.zeros(spec.shape);
    });
    const mask = masks[spec.name];
    if (mask) state.masks[spec.name] = mask;
  }
}

/** A tensor of the segment's state as a checkpoint holds it: dense, its pruned entries filled in if compact. */
async function denseValue(state: State, name: string, tensor: tf.Tensor, pruned: 'start' | 'zeros'): Promise<TensorValue> {
  const value = await downloadTensor(tensor);
  const compact = state.compact[name];
  if (compact === undefined) return value;
  const base = pruned === 'start' ? compact.start.data : new Float32Array(compact.start.data.length);
  return { shape: [...compact.start.shape], data: scatterInto(base, compact.indices, value.data) };
}

/** The saved optimizer state, if it belongs to this optimizer (a different optimizer starts afresh). */
export function resumableState(saved: OptimizerState | undefined, optimizer: TensorOptimizer): OptimizerState | undefined {
  return saved && saved.op === optimizer.op ? saved : undefined;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DOMException('training was aborted', 'AbortError');
}

// A type alias, not an interface: tf.tidy returns only what fits its TensorContainer index signature.
type StepResult = {
  params: Record<string, tf.Tensor>;
  slots: Record<string, Record<string, tf.Tensor>>;
  buffers?: Record<string, tf.Tensor>;
  loss: tf.Tensor;
};

/** One update; runs inside a tidy, so everything not returned is freed. */
function step(opts: SegmentOptions, state: State, optimizer: TensorOptimizer, lr: number, batch: { x: tf.Tensor; y: tf.Tensor }): StepResult {
  const names = Object.keys(state.params);
  for (const [name, pattern] of Object.entries(state.patterns)) markSparse(state.params[name]!, pattern);
  let buffers: Record<string, tf.Tensor> | undefined;
  const lossOf = (...params: tf.Tensor[]): tf.Scalar => {
    const weights: Record<string, tf.Tensor> = { ...state.buffers };
    names.forEach((name, i) => { weights[name] = params[i]!; });
    const out = forward(opts.layout, opts.modelParams, weights, batch.x, { training: true });
    // The gradient's scope frees everything but the loss; the new statistics must outlive it (kept
    // tensors escape every tidy: replaceState disposes them when the next step replaces them).
    if (out.buffers) buffers = Object.fromEntries(Object.entries(out.buffers).map(([k, v]) => [k, tf.keep(v)]));
    return loss(opts.dataset.task, out.output, batch.y);
  };
  const { value, grads } = (opts.tapeGradients ? undefined : tapeFree(opts, state, names, batch)) ?? tf.valueAndGrads(lossOf)(names.map((n) => state.params[n]!));
  const result: StepResult = { ...maskedUpdate(optimizer, state, names, grads, lr), loss: value };
  if (buffers) result.buffers = buffers;
  return result;
}

/** The model's tape-free loss and gradients (the same bits as the tape's), where it has them. */
function tapeFree(opts: SegmentOptions, state: State, names: readonly string[], batch: { x: tf.Tensor; y: tf.Tensor }): { value: tf.Scalar; grads: tf.Tensor[] } | undefined {
  // A model with buffers (batch-norm statistics) updates them in its forward, which this path does not run.
  if (Object.keys(state.buffers).length > 0) return undefined;
  const result = lossAndGradients(opts.layout, opts.modelParams, state.params, batch.x, batch.y, opts.dataset.task);
  if (result === undefined) return undefined;
  const missing = names.find((name) => result.gradients[name] === undefined);
  if (missing !== undefined) throw new Error(`${opts.layout.op}: its tape-free gradients lack '${missing}'`);
  return { value: result.loss, grads: names.map((name) => result.gradients[name]!) };
}

/** The weights the trainable parameters move to (state: the current ones), masked: their gradient, slots and new values. */
export function maskedUpdate(
  optimizer: TensorOptimizer,
  state: Pick<State, 'params' | 'slots' | 'masks' | 'updates'>,
  names: readonly string[],
  grads: readonly tf.Tensor[],
  lr: number,
): Pick<StepResult, 'params' | 'slots'> {
  const params: Record<string, tf.Tensor> = {};
  const slots: Record<string, Record<string, tf.Tensor>> = {};
  names.forEach((name, i) => {
    const result = optimizer.apply(state.params[name]!, grads[i]!, state.slots[name]!, lr, state.updates, state.masks[name]);
    params[name] = result.param;
    slots[name] = result.slots;
  });
  return { params, slots };
}

function replaceState(state: State, next: StepResult): void {
  disposeOwned(state, state.params);
  for (const slots of Object.values(state.slots)) disposeOwned(state, slots);
  state.params = next.params;
  state.slots = next.slots;
  for (const [name, tensor] of Object.entries(next.buffers ?? {})) {
    const old = state.buffers[name];
    if (old) disposeIfOwned(state, old);
    state.buffers[name] = tensor;
  }
}

function disposeState(state: State): void {
  disposeOwned(state, state.params);
  for (const slots of Object.values(state.slots)) disposeOwned(state, slots);
  disposeOwned(state, state.buffers);
  disposeOwned(state, state.masks);
}

function disposeOwned(state: State, tensors: Record<string, tf.Tensor>): void {
  for (const tensor of Object.values(tensors)) disposeIfOwned(state, tensor);
}

/** Disposes a tensor the segment made; a borrowed one belongs to its source. */
function disposeIfOwned(state: State, tensor: tf.Tensor): void {
  if (!state.borrowed.has(tensor)) tensor.dispose();
}

/** The run's checkpoint after `step` steps: weights, optimizer state, loss history and training curve. */
async function checkpointOf(opts: SegmentOptions, state: State, optimizer: TensorOptimizer, step: number, watch: DivergenceWatch, curve: CurveRecorder): Promise<Checkpoint> {
  const weights = new Map<string, TensorValue>();
  const slots = new Map<string, TensorValue>();
  for (const spec of opts.layout.params) {
    const tensor = spec.role === 'buffer' ? state.buffers[spec.name] : state.params[spec.name];
    // A buffer the start lacked stays absent, as in the start.
    if (tensor) weights.set(spec.name, await denseValue(state, spec.name, tensor, 'start'));
  }
  for (const spec of opts.layout.params) {
    for (const slot of optimizer.slotNames) {
      const tensor = state.slots[spec.name]?.[slot];
      if (tensor) slots.set(slotKey(slot, spec.name), await denseValue(state, spec.name, tensor, 'zeros'));
    }
  }
  const checkpoint: Checkpoint = {
    kind: 'checkpoint', model: opts.start.model, step, weights,
    optimizer: { op: optimizer.op, updates: state.updates, slots },
  };
  if (opts.start.mask) checkpoint.mask = opts.start.mask;
  const loss = watch.history;
  if (loss !== undefined) checkpoint.loss = { ...loss, curve: curve.curve };
  return checkpoint;
}
