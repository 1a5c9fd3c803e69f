// The basic probes: accuracy and loss of weights on a split, and the sparsity of a mask (or of the mask
// a checkpoint trains under). Each returns one row of its probe's table.
import type { Artifact, Checkpoint, Mask, ProbeResult } from '../../core/artifacts.ts';
import type { OpCatalog, StageContext, StageImplementation, TensorSource } from '../../core/op.ts';
import type { Stage } from '../../core/stage.ts';
import type { LoadedDataset } from '../datasets/index.ts';
import type { ModelLayout } from '../models/layout.ts';
import { probeData } from '../stage-support/data.ts';
import { failing } from '../stage-support/failure.ts';
import { layoutOf } from '../stage-support/models.ts';
import { checkpointInput } from '../stage-support/params.ts';
import { evaluate, EVALUATION_BATCH } from '../training/evaluate.ts';

export interface EvaluationTarget {
  checkpoint: Checkpoint;
  /** Where the checkpoint's model is found: the library the runtime was given. */
  library: OpCatalog;
  dataset: LoadedDataset;
  split: 'train' | 'test';
  batch?: number;
  /** Where the checkpoint's weights are on the backend (the runtime's resident tensors); uploaded for the probe otherwise. */
  tensors?: TensorSource;
}

/** The evaluation of the target, and the share of prunable weights its checkpoint's mask keeps. */
async function evaluateTarget(target: EvaluationTarget) {
  const { checkpoint, dataset, split } = target;
  const layout = layoutOf(checkpoint.model, target.library);
  const evaluation = await evaluate({
    layout, modelParams: checkpoint.model.params, weights: checkpoint.weights,
    resident: target.tensors?.weightsOf(checkpoint),
    dataset, split, batch: target.batch ?? EVALUATION_BATCH,
  });
  return { ...evaluation, remaining: remainingOf(checkpoint, layout) };
}

/**
 * Metrics: accuracy (top-1; per token for language models), loss, and remaining (the share of
 * prunable weights the checkpoint's mask keeps), so that accuracy can be plotted against it.
 */
export async function accuracyProbe(target: EvaluationTarget): Promise<ProbeResult> {
  if (target.dataset.task === 'regression') {
    throw new Error(`accuracy is not defined for the regression dataset ${target.dataset.name}; use loss instead`);
  }
  const result = await evaluateTarget(target);
  return { kind: 'probe', metrics: { accuracy: result.accuracy!, loss: result.loss, remaining: result.remaining } };
}

/** Metrics: loss (mean cross-entropy, or mean squared error for regression) and remaining. */
export async function lossProbe(target: EvaluationTarget): Promise<ProbeResult> {
  const result = await evaluateTarget(target);
  return { kind: 'probe', metrics: { loss: result.loss, remaining: result.remaining } };
}

/** The share of prunable weights of `layout` that the mask of `x` keeps (1 for a dense checkpoint). */
export function remainingOf(x: Checkpoint | Mask, layout: ModelLayout): number {
  const { kept, total } = keptCounts(x, layout).all;
  return total === 0 ? 1 : kept / total;
}

interface Counts {
  kept: number;
  total: number;
}

/** Kept and total prunable weights, in all and per layer. A checkpoint without a mask is dense. */
function keptCounts(x: Checkpoint | Mask, layout: ModelLayout): { all: Counts; layers: { [layer: string]: Counts } } {
  const mask = x.kind === 'mask' ? x : x.mask;
  const layers: { [layer: string]: Counts } = {};
  const all = { kept: 0, total: 0 };
  for (const spec of layout.params) {
    if (!spec.prunable) continue;
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const data = mask?.masks.get(spec.name)?.data;
    let k = size;
    if (data) {
      k = 0;
      for (let i = 0; i < data.length; i++) k += data[i]!;
    }
    const layer = (layers[spec.layer] ??= { kept: 0, total: 0 });
    layer.kept += k;
    layer.total += size;
    all.kept += k;
    all.total += size;
  }
  return { all, layers };
}

/**
 * Metrics: remaining and sparsity (shares of the prunable weights kept and removed), kept and total
 * (counts), in total and per layer. A checkpoint without a mask is dense.
 */
export function sparsityProbe(x: Checkpoint | Mask, layout: ModelLayout): ProbeResult {
  const { all, layers } = keptCounts(x, layout);
  const row = (k: number, t: number) => ({ remaining: t === 0 ? 1 : k / t, sparsity: t === 0 ? 0 : (t - k) / t, kept: k, total: t });
  return {
    kind: 'probe',
    metrics: row(all.kept, all.total),
    layers: Object.fromEntries(Object.entries(layers).map(([name, c]) => [name, row(c.kept, c.total)])),
  };
}

/** What accuracy and loss evaluate: the checkpoint `x` on the split `on`. */
async function evaluationTarget(stage: Stage, inputs: Record<string, Artifact>, ctx: StageContext): Promise<EvaluationTarget> {
  const checkpoint = checkpointInput(stage, inputs, 'x');
  const { dataset, split } = await probeData(stage, ctx, [checkpoint]);
  return { checkpoint, library: ctx.library, dataset, split, tensors: ctx.tensors };
}

/** The stage of a probe that evaluates the checkpoint `x` on the split `on` (accuracy, loss). */
export function evaluationStage(op: string, measure: (target: EvaluationTarget) => Promise<ProbeResult>): StageImplementation {
  return async (stage, inputs, ctx) => {
    const target = await evaluationTarget(stage, inputs, ctx);
    return failing(op, () => measure(target));
  };
}
