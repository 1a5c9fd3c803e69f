// instability: linear mode connectivity (Frankle et al. 2020). Copies of a network trained from one
// checkpoint with different data orders end at W_i; along the straight path between two of them,
// θ(α) = (1 − α)·W_i + α·W_j for `points` values of α evenly spaced in [0, 1] (α = 0 is the first copy),
// the error rises by the barrier max_α err(θ(α)) − ½(err(W_i) + err(W_j)). Stable copies (barrier ≈ 0)
// sit in one linearly connected basin.
//
// - Masks: the copies train under one mask; every θ(α) is multiplied by it.
// - Batch norm: the running statistics are interpolated like the weights (no re-estimation on data).
// - More than two copies: each pair's barrier and error path are computed, and the metrics are their
//   means over all pairs (the per-pair paths are in the series).
// - The loss barrier is the same construction on the mean loss.
// - Regression data has no error: its barrier is the loss barrier, and the path reports loss_at_α.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Artifact, Checkpoint, ProbeResult, TensorValue } from '../../core/artifacts.ts';
import type { OpCatalog, StageImplementation } from '../../core/op.ts';
import type { Stage } from '../../core/stage.ts';
import type { LoadedDataset } from '../datasets/index.ts';
import { applyMask, type MaskMap } from '../pruning/index.ts';
import { probeData } from '../stage-support/data.ts';
import { failing, StageFailure, throwIfAborted } from '../stage-support/failure.ts';
import { checkAllSameModel, layoutOf } from '../stage-support/models.ts';
import { checkpointInput, integerParam } from '../stage-support/params.ts';
import { evaluate, EVALUATION_BATCH } from '../training/evaluate.ts';

export interface InstabilityTarget {
  /** The trained copies, in order: pairs are (0, 1), (0, 2), …, (1, 2), … */
  copies: Checkpoint[];
  /** Where the copies' model is found: the library the runtime was given. */
  library: OpCatalog;
  dataset: LoadedDataset;
  split: 'train' | 'test';
  /** Number of α values, at least 2 (the two ends). */
  points: number;
  batch?: number;
  /** Called before each evaluation with how many are done; may throw to stop (an abort). */
  beforeEvaluation?: (done: number, total: number) => void | Promise<void>;
}

/** `points` values evenly spaced in [0, 1], ends exact. */
export function alphas(points: number): number[] {
  if (!(Number.isInteger(points) && points >= 2)) throw new Error(`points must be an integer ≥ 2, got ${points}`);
  return Array.from({ length: points }, (_, i) => (i === points - 1 ? 1 : i / (points - 1)));
}

/**
 * The α of each point as it appears in metric names: rounded to 3 decimals, trailing zeros dropped
 * (points: 11 gives 0, 0.1, …, 1; points: 5 gives 0, 0.25, 0.5, 0.75, 1; points: 30 gives 0, 0.034,
 * 0.069, …), with more decimals only where 3 would not tell all points apart.
 */
export function alphaLabels(values: readonly number[]): string[] {
  for (let decimals = 3; ; decimals++) {
    const labels = values.map((a) => String(Number(a.toFixed(decimals))));
    if (new Set(labels).size === labels.length || decimals >= 20) return labels;
  }
}

/**
 * (1 − α)·a + α·b for every parameter (buffers included), then the mask. Computed in float64 and rounded
 * once, so α = 0 and α = 1 give a and b bit for bit, and a path between identical weights is constant.
 */
export function interpolateWeights(
  a: ReadonlyMap<string, TensorValue>,
  b: ReadonlyMap<string, TensorValue>,
  alpha: number,
  mask?: MaskMap,
): Map<string, TensorValue> {
  const out = new Map<string, TensorValue>();
  for (const [name, wa] of a) {
    const wb = b.get(name);
    if (!wb || wb.data.length !== wa.data.length) throw new Error(`the copies differ in parameter '${name}'`);
    let data: Float32Array;
    if (alpha === 0) data = wa.data;
    else if (alpha === 1) data = wb.data;
    else {
      data = new Float32Array(wa.data.length);
      for (let i = 0; i < data.length; i++) data[i] = (1 - alpha) * wa.data[i]! + alpha * wb.data[i]!;
    }
    out.set(name, { shape: [...wa.shape], data });
  }
  for (const name of b.keys()) if (!a.has(name)) throw new Error(`the copies differ in parameter '${name}'`);
  return mask ? applyMask(out, mask) : out;
}

interface PathPoint {
  error?: number;
  loss: number;
}

/** max over the path − the mean of its ends. */
export function barrierOf(path: readonly number[]): number {
  return Math.max(...path) - (path[0]! + path[path.length - 1]!) / 2;
}

/**
 * Metrics: barrier (error barrier; loss barrier for regression), loss_barrier, error_at_<α> for each α
 * (loss_at_<α> for regression), pairs; series: alpha, error (or none for regression), loss, and with more
 * than two copies error_pairs / loss_pairs (one path per pair).
 */
export async function instabilityProbe(target: InstabilityTarget): Promise<ProbeResult> {
  const { copies } = target;
  if (copies.length < 2) throw new Error(`instability needs at least two copies, got ${copies.length}`);
  const first = copies[0]!;
  const mask = sharedMask(copies);
  const layout = layoutOf(first.model, target.library);
  const regression = target.dataset.task === 'regression';
  const path = alphas(target.points);
  const pairs: [number, number][] = [];
  for (let i = 0; i < copies.length; i++) for (let j = i + 1; j < copies.length; j++) pairs.push([i, j]);
  const interior = path.length - 2;
  const total = copies.length + pairs.length * interior;
  let done = 0;
  const evaluateAt = async (weights: Map<string, TensorValue>): Promise<PathPoint> => {
    await target.beforeEvaluation?.(done, total);
    const result = await evaluate({
      layout, modelParams: first.model.params, weights, dataset: target.dataset, split: target.split,
      batch: target.batch ?? EVALUATION_BATCH,
    });
    done++;
    return regression ? { loss: result.loss } : { error: 1 - result.accuracy!, loss: result.loss };
  };
  // Each copy is the end of several paths: evaluate it once.
  const ends: PathPoint[] = [];
  for (const copy of copies) ends.push(await evaluateAt(interpolateWeights(copy.weights, copy.weights, 0, mask)));
  const errorPaths: number[][] = [];
  const lossPaths: number[][] = [];
  for (const [i, j] of pairs) {
    const points: PathPoint[] = [];
    for (const alpha of path) {
      if (alpha === 0) points.push(ends[i]!);
      else if (alpha === 1) points.push(ends[j]!);
      else points.push(await evaluateAt(interpolateWeights(copies[i]!.weights, copies[j]!.weights, alpha, mask)));
    }
    if (!regression) errorPaths.push(points.map((p) => p.error!));
    lossPaths.push(points.map((p) => p.loss));
  }
  const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
  const meanPath = (paths: number[][]) => path.map((_, k) => mean(paths.map((p) => p[k]!)));
  const lossBarrier = mean(lossPaths.map(barrierOf));
  const labels = alphaLabels(path);
  const metrics: { [name: string]: number } = {
    barrier: regression ? lossBarrier : mean(errorPaths.map(barrierOf)),
    loss_barrier: lossBarrier,
  };
  const shownPath = regression ? meanPath(lossPaths) : meanPath(errorPaths);
  labels.forEach((label, k) => { metrics[`${regression ? 'loss' : 'error'}_at_${label}`] = shownPath[k]!; });
  metrics.pairs = pairs.length;
  const series: { [name: string]: number[] | number[][] } = { alpha: path };
  if (!regression) series.error = meanPath(errorPaths);
  series.loss = meanPath(lossPaths);
  if (pairs.length > 1) {
    if (!regression) series.error_pairs = errorPaths;
    series.loss_pairs = lossPaths;
  }
  return { kind: 'probe', metrics, series };
}

/** The mask all copies trained under (undefined when all are dense); copies under different masks fail. */
function sharedMask(copies: Checkpoint[]): MaskMap | undefined {
  const mask = copies[0]!.mask?.masks;
  for (const copy of copies.slice(1)) {
    if (!sameMask(mask, copy.mask?.masks)) throw new Error('the copies trained under different masks; their path is not defined');
  }
  return mask;
}

function sameMask(a: MaskMap | undefined, b: MaskMap | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.size !== b.size) return false;
  for (const [name, m] of a) {
    const other = b.get(name);
    if (!other || other.data.length !== m.data.length) return false;
    for (let i = 0; i < m.data.length; i++) if ((m.data[i] !== 0) !== (other.data[i] !== 0)) return false;
  }
  return true;
}

// ---- stage -------------------------------------------------------------------------------------

/** The copies' final checkpoints, by the number after `copies` in their input role. */
function copiesOf(stage: Stage, inputs: Record<string, Artifact>): Checkpoint[] {
  const roles = Object.keys(inputs)
    .map((role) => /^copies(\d+)$/.exec(role))
    .filter((match): match is RegExpExecArray => match !== null)
    .sort((x, y) => Number(x[1]) - Number(y[1]))
    .map((match) => match[0]);
  if (roles.length < 2) throw new StageFailure(`instability needs the final checkpoints of at least two copies (inputs copies0, copies1, …), got ${roles.length}`);
  return roles.map((role) => checkpointInput(stage, inputs, role));
}

/** The instability stage: the trained copies are its inputs copies0, copies1, … */
export const instabilityStage: StageImplementation = async (stage, inputs, ctx) => {
  const copies = copiesOf(stage, inputs);
  checkAllSameModel('instability', 'the copies', copies.map((copy) => copy.model));
  const points = integerParam(stage.params, 'points');
  if (points < 2) throw new StageFailure(`parameter 'points' must be at least 2, got ${points}`);
  const { dataset, split } = await probeData(stage, ctx, [copies[0]!]);
  return failing('instability', () => instabilityProbe({
    copies, library: ctx.library, dataset, split, points,
    beforeEvaluation: async (done, total) => {
      // Evaluations run synchronously: give the event loop a turn so that an abort can arrive.
      await nextTurn();
      throwIfAborted(ctx.signal);
      ctx.progress({ step: done, total });
    },
  }));
};

// The copies' data orders are 1,000,000 + 1000 × seed + copy (compiler/ops.ts): distinct for up to 1000 copies.
