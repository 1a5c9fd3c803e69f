// Replicates trained together: segments of one recipe (model, data, optimizer, steps, the same start
// step) that differ in their start weights, masks and data orders — seeds, controls, a family's members —
// run as one computation. Weights, optimizer slots and masks of the R members are stacked along a new
// first axis, so the optimizer's update and the masking are one op per parameter for all of them.
//
// Each member gets the bits its segment would get alone (trainer.ts): its forward pass and gradient are
// the alone path's ops on its own slice (unstacked from the stacked weights; the gradient of the sum of
// the members' losses is each member's own gradient, times exactly 1), and the update is elementwise,
// where a member's slice of a stacked op is computed as its own tensor would be. A member without a mask
// is multiplied by ones, which changes no bit. A member whose loss becomes NaN or infinite fails alone:
// it leaves the stack and the others go on; an aborted member leaves it the same way.
import * as tf from '@tensorflow/tfjs-core';
import type { Checkpoint, TensorValue } from '../../core/artifacts.ts';
import type { TensorSource } from '../../core/op.ts';
import { forward } from '../models/forward.ts';
import { loss, stackedLoss } from '../nn/losses.ts';
import { hasStackedLayers } from '../nn/stacked.ts';
import { createOptimizer, learningRateAt, type TensorOptimizer } from '../optimizers/index.ts';
import { batchTensors, BatchBuffers } from './batches.ts';
import { CurveRecorder } from './curve.ts';
import { DataOrder } from './data-order.ts';
import { DivergenceWatch } from './divergence.ts';
import { startsSparse } from './train-batching.ts';
import { IntermediateCommits } from './intermediate-commits.ts';
import { TrainingDiverged, type TrainingProgress } from './loss-monitor.ts';
import { maskedUpdate, resumableState, slotKey, type SegmentOptions } from './trainer.ts';
import { ownTensors, uploadTensor } from './weights.ts';

/** What the members of a group share: everything of a segment but its start, order and hooks. */
export type SharedRecipe = Omit<SegmentOptions, 'start' | 'order' | 'signal' | 'onProgress' | 'checkpoints' | 'tensors'>;

/** What one member brings: its start checkpoint, data order and hooks. */
export type ReplicateMember = Pick<SegmentOptions, 'start' | 'order' | 'signal' | 'onProgress' | 'checkpoints'>;

/** Why a group of members cannot train together, or undefined when they can. */
export async function whyNotTogether(recipe: SharedRecipe, members: readonly ReplicateMember[]): Promise<string | undefined> {
  if (recipe.layout.params.some((spec) => spec.role === 'buffer')) return `${recipe.layout.op} keeps buffers (batch-norm statistics)`;
  const optimizer = await createOptimizer(recipe.optimizer);
  const updates = new Set(members.map((m) => resumableState(m.start.optimizer, optimizer)?.updates ?? 0));
  if (updates.size > 1) return 'the members resume different numbers of optimizer updates';
  if (members.some((m) => m.start.step !== recipe.from)) return `not every member starts at step ${recipe.from}`;
  if (members.some(hasSparseLayers)) return 'a member\'s mask is sparse enough for sparse layer kernels, which a stacked layer does not have';
  return undefined;
}

/**
 * Whether a member trains alone with sparse layer kernels (nn/ops.ts, a rule of its mask): the stacked
 * layers compute densely, which would not give it the bits it gets alone, so such a member trains alone.
 */
export function hasSparseLayers(member: Pick<ReplicateMember, 'start'>): boolean {
  return startsSparse(member.start);
}

/** One member's place in the group while it trains. */
interface Member {
  spec: ReplicateMember;
  data: DataOrder;
  /** Its minibatches; a step's batch tensors are freed by the step's tidy, before the next step overwrites them. */
  batches: BatchBuffers;
  watch: DivergenceWatch;
  curve: CurveRecorder;
  commits: IntermediateCommits | undefined;
  /** When its losses were last reported. */
  reportedAt: number;
  settle(result: PromiseSettledResult<Checkpoint>): void;
}

/** The stacked state: each tensor's first axis runs over the members still training, in order. */
interface Stack {
  params: Record<string, tf.Tensor>;
  slots: Record<string, Record<string, tf.Tensor>>;
  /** Keep-masks of 0 and 1 (ones for a member without one); absent for a parameter no member masks. */
  masks: Record<string, tf.Tensor>;
  updates: number;
}

const REPORT_EVERY_STEPS = 10;
const REPORT_EVERY_MS = 500;

/**
 * Trains every member's segment [from, to) of `recipe`; one settled result per member, in order. Members
 * must be able to train together (whyNotTogether).
 */
export async function trainReplicates(recipe: SharedRecipe, members: readonly ReplicateMember[], tensors?: TensorSource): Promise<PromiseSettledResult<Checkpoint>[]> {
  const why = await whyNotTogether(recipe, members);
  if (why !== undefined) throw new Error(`these segments cannot train together: ${why}`);
  const { from, to } = recipe;
  if (!(to > from)) throw new Error(`the segment [${from}, ${to}) is empty`);
  const optimizer = await createOptimizer(recipe.optimizer);
  const split = recipe.dataset[recipe.split];
  const results: PromiseSettledResult<Checkpoint>[] = new Array(members.length);
  let active: Member[] = members.map((spec, i) => {
    const resumed = resumableState(spec.start.optimizer, optimizer) ? spec.start.loss : undefined;
    spec.onProgress?.({ step: 0, total: to - from });
    return {
      spec,
      data: new DataOrder(spec.order, split.n, recipe.batch),
      batches: new BatchBuffers(split, recipe.layout.inputDtype, recipe.batch),
      watch: new DivergenceWatch(resumed),
      curve: new CurveRecorder({ steps: recipe.totalSteps, learningRateAt: (t) => learningRateAt(recipe.optimizer, t, recipe.totalSteps), resumed: resumed?.curve }),
      commits: spec.checkpoints === undefined ? undefined : new IntermediateCommits(spec.checkpoints, from),
      reportedAt: performance.now(),
      settle: (result) => { results[i] = result; },
    };
  });
  const own = tensors === undefined ? ownTensors() : undefined;
  let stack = stackState(recipe, members, optimizer, tensors ?? own!);
  /** Each pending step's losses, [members active at that step]. */
  let pending: tf.Tensor[] = [];
  let firstPending = from;
  own?.end();
  try {
    for (let t = from; t < to; t++) {
      const aborted = active.filter((m) => m.spec.signal?.aborted);
      if (aborted.length > 0) {
        for (const m of aborted) m.settle({ status: 'rejected', reason: new DOMException('training was aborted', 'AbortError') });
        ({ stack, active, pending } = leave(stack, active, pending, aborted));
        if (active.length === 0) break;
      }
      const lr = learningRateAt(recipe.optimizer, t, recipe.totalSteps);
      stack.updates += 1;
      const batches = active.map((m) => batchOf(recipe, m.batches, m.data.batchAt(t)));
      const next = tf.tidy(() => step(recipe, stack, optimizer, lr, batches.map((tensors) => tensors())));
      replace(stack, next);
      pending.push(next.losses);
      const done = t + 1;
      const due = pending.length >= REPORT_EVERY_STEPS || performance.now() - active[0]!.reportedAt >= REPORT_EVERY_MS || done === to;
      const commitDue = active[0]!.commits !== undefined && done < to && active[0]!.commits.due(done);
      if (due || commitDue) {
        const failed = await report(active, pending, firstPending, from, to);
        firstPending = done;
        pending = [];
        if (failed.length > 0) ({ stack, active, pending } = leave(stack, active, pending, failed));
        if (active.length === 0) break;
        // Let the event loop deliver an abort (or anything else) between bursts of synchronous steps.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (commitDue && active.length > 0) {
        const checkpoints = await checkpointsOf(recipe, stack, optimizer, active, done);
        for (const [i, m] of active.entries()) {
          await m.commits?.commit(checkpoints[i]!);
          m.spec.onProgress?.({ step: done - from, total: to - from, committed: done });
        }
      }
    }
    if (active.length > 0) {
      const checkpoints = await checkpointsOf(recipe, stack, optimizer, active, to);
      active.forEach((m, i) => m.settle({ status: 'fulfilled', value: checkpoints[i]! }));
    }
    return results;
  } finally {
    for (const t of pending) t.dispose();
    disposeStack(stack);
  }
}

/** A member's minibatch of step t, uploaded when the step asks for it. */
function batchOf(recipe: SharedRecipe, buffers: BatchBuffers, rows: Int32Array): () => { x: tf.Tensor; y: tf.Tensor } {
  const batch = buffers.gather(rows);
  return () => batchTensors(batch, rows.length, recipe.dataset.inputShape);
}

/** The members' start weights, resumed slots and masks, stacked; the stack owns every tensor. */
function stackState(recipe: SharedRecipe, members: readonly ReplicateMember[], optimizer: TensorOptimizer, tensors: TensorSource): Stack {
  const resumed = members.map((m) => resumableState(m.start.optimizer, optimizer));
  const weights = members.map((m) => {
    for (const spec of recipe.layout.params) {
      if (!m.start.weights.has(spec.name)) throw new Error(`the start checkpoint has no weights '${spec.name}'`);
    }
    return tensors.weightsOf(m.start);
  });
  const masks = members.map((m) => (m.start.mask ? tensors.masksOf(m.start.mask) : {}));
  const stack: Stack = { params: {}, slots: {}, masks: {}, updates: resumed[0]?.updates ?? 0 };
  tf.tidy(() => {
    for (const spec of recipe.layout.params) {
      stack.params[spec.name] = tf.keep(tf.stack(weights.map((w) => w[spec.name]!)));
      const slots: Record<string, tf.Tensor> = (stack.slots[spec.name] = {});
      for (const slot of optimizer.slotNames) {
        slots[slot] = tf.keep(tf.stack(resumed.map((state) => {
          const saved = state?.slots.get(slotKey(slot, spec.name));
          return saved ? uploadTensor(saved) : tf.zeros(spec.shape);
        })));
      }
      if (masks.some((m) => m[spec.name] !== undefined)) {
        stack.masks[spec.name] = tf.keep(tf.stack(masks.map((m) => m[spec.name] ?? tf.ones(spec.shape))));
      }
    }
  });
  return stack;
}

// A type alias, not an interface: tf.tidy returns only what fits its TensorContainer index signature.
type StepResult = {
  params: Record<string, tf.Tensor>;
  slots: Record<string, Record<string, tf.Tensor>>;
  /** Each member's loss, [members]. */
  losses: tf.Tensor;
};

/** One update of every member; runs inside a tidy, so everything not returned is freed. */
function step(recipe: SharedRecipe, stack: Stack, optimizer: TensorOptimizer, lr: number, batches: { x: tf.Tensor; y: tf.Tensor }[]): StepResult {
  const names = Object.keys(stack.params);
  let losses: tf.Tensor | undefined;
  const lossOf = (...stacked: tf.Tensor[]): tf.Scalar => {
    // Kept tensors escape every tidy: the caller disposes the losses once they are reported.
    losses = tf.keep(lossesOf(recipe, names, stacked, batches));
    return tf.sum(losses) as tf.Scalar;
  };
  const { grads } = tf.valueAndGrads(lossOf)(names.map((n) => stack.params[n]!));
  const { params, slots } = maskedUpdate(optimizer, stack, names, grads, lr);
  return { params, slots, losses: losses! };
}

/**
 * Each member's training loss, [members]: one stacked forward (and loss) where the model and backend
 * have one, otherwise the model's forward on each member's weights (unstacked) in turn.
 */
function lossesOf(recipe: SharedRecipe, names: string[], stacked: tf.Tensor[], batches: { x: tf.Tensor; y: tf.Tensor }[]): tf.Tensor {
  const { layout, modelParams, dataset } = recipe;
  if (layout.stackedForward !== undefined && hasStackedLayers(tf.getBackend())) {
    const weights = Object.fromEntries(names.map((name, i) => [name, stacked[i]!]));
    const outputs = layout.stackedForward(modelParams, weights, tf.stack(batches.map((b) => b.x)));
    const ys = tf.stack(batches.map((b) => b.y));
    return stackedLoss(dataset.task, outputs, ys) ?? tf.stack(tf.unstack(outputs).map((output, r) => loss(dataset.task, output, batches[r]!.y)));
  }
  const perMember = stacked.map((t) => tf.unstack(t));
  return tf.stack(batches.map(({ x, y }, r) => {
    const weights = Object.fromEntries(names.map((name, i) => [name, perMember[i]![r]!]));
    return loss(dataset.task, forward(layout, modelParams, weights, x, { training: true }).output, y);
  }));
}

function replace(stack: Stack, next: StepResult): void {
  disposeAll(stack.params);
  for (const slots of Object.values(stack.slots)) disposeAll(slots);
  stack.params = next.params;
  stack.slots = next.slots;
}

function disposeStack(stack: Stack): void {
  disposeAll(stack.params);
  for (const slots of Object.values(stack.slots)) disposeAll(slots);
  disposeAll(stack.masks);
}

function disposeAll(tensors: Record<string, tf.Tensor>): void {
  for (const t of Object.values(tensors)) t.dispose();
}

/**
 * Hands the pending steps' losses to each member (its divergence watch, curve and progress) as the alone
 * path's loss monitor does; returns the members whose loss was not finite, each settled with its failure.
 */
async function report(active: Member[], pending: tf.Tensor[], firstPending: number, from: number, to: number): Promise<Member[]> {
  const stacked = tf.stack(pending);
  const values = await stacked.data();
  stacked.dispose();
  const failed: Member[] = [];
  const steps = pending.length;
  const done = firstPending + steps;
  active.forEach((m, r) => {
    let sum = 0;
    for (let i = 0; i < steps; i++) {
      const v = values[i * active.length + r]!;
      if (!Number.isFinite(v)) {
        m.settle({ status: 'rejected', reason: new TrainingDiverged(firstPending + i, v) });
        failed.push(m);
        return;
      }
      m.watch.observe(firstPending + i, v);
      m.curve.observe(firstPending + i, v);
      sum += v;
    }
    m.reportedAt = performance.now();
    const progress: TrainingProgress = { step: done - from, total: to - from, loss: sum / steps };
    m.spec.onProgress?.(progress);
  });
  return failed;
}

/** The stack without `leaving` (and the pending losses without their entries). */
function leave(stack: Stack, active: Member[], pending: tf.Tensor[], leaving: Member[]): { stack: Stack; active: Member[]; pending: tf.Tensor[] } {
  const staying = active.filter((m) => !leaving.includes(m));
  if (staying.length === 0) return { stack, active: staying, pending };
  const indices = staying.map((m) => active.indexOf(m));
  const keep = (t: tf.Tensor): tf.Tensor => tf.tidy(() => tf.gather(t, indices, 0));
  const next: Stack = {
    params: mapValues(stack.params, keep),
    slots: mapValues(stack.slots, (slots) => mapValues(slots, keep)),
    masks: mapValues(stack.masks, keep),
    updates: stack.updates,
  };
  const nextPending = pending.map(keep);
  disposeStack(stack);
  for (const t of pending) t.dispose();
  return { stack: next, active: staying, pending: nextPending };
}

function mapValues<T, U>(record: Record<string, T>, f: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]));
}

/** Each active member's checkpoint after `step` steps, as the alone path's checkpointOf makes it. */
async function checkpointsOf(recipe: SharedRecipe, stack: Stack, optimizer: TensorOptimizer, active: Member[], step: number): Promise<Checkpoint[]> {
  const weights = active.map(() => new Map<string, TensorValue>());
  const slots = active.map(() => new Map<string, TensorValue>());
  for (const spec of recipe.layout.params) {
    const values = await unstackedValues(stack.params[spec.name]!, spec.shape, active.length);
    values.forEach((value, r) => weights[r]!.set(spec.name, value));
  }
  for (const spec of recipe.layout.params) {
    for (const slot of optimizer.slotNames) {
      const tensor = stack.slots[spec.name]?.[slot];
      if (!tensor) continue;
      const values = await unstackedValues(tensor, spec.shape, active.length);
      values.forEach((value, r) => slots[r]!.set(slotKey(slot, spec.name), value));
    }
  }
  return active.map((m, r) => {
    const checkpoint: Checkpoint = {
      kind: 'checkpoint', model: m.spec.start.model, step, weights: weights[r]!,
      optimizer: { op: optimizer.op, updates: stack.updates, slots: slots[r]! },
    };
    if (m.spec.start.mask) checkpoint.mask = m.spec.start.mask;
    const history = m.watch.history;
    if (history !== undefined) checkpoint.loss = { ...history, curve: m.curve.curve };
    return checkpoint;
  });
}

/** A stacked tensor's slices as plain values of `shape`, one download for all. */
async function unstackedValues(stacked: tf.Tensor, shape: number[], count: number): Promise<TensorValue[]> {
  const data = await stacked.data();
  if (!(data instanceof Float32Array)) throw new Error(`expected a float32 tensor, got ${stacked.dtype}`);
  const size = data.length / count;
  return Array.from({ length: count }, (_, r) => ({ shape: [...shape], data: data.slice(r * size, (r + 1) * size) }));
}
