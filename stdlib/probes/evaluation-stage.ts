// The stage of accuracy and loss: weights evaluated on a split, with the share of prunable weights kept,
// each returning one row of its probe's table. Loaded when such a stage first runs (it needs TensorFlow.js).
import type { Artifact, Checkpoint, ProbeResult } from '../../core/artifacts.ts';
import type { OpCatalog, StageContext, StageImplementation, TensorSource } from '../../core/op.ts';
import type { Stage } from '../../core/stage.ts';
import type { LoadedDataset } from '../datasets/index.ts';
import { probeData } from '../stage-support/data.ts';
import { failing } from '../stage-support/failure.ts';
import { layoutOf } from '../stage-support/models.ts';
import { checkpointInput } from '../stage-support/params.ts';
import { evaluate, EVALUATION_BATCH } from '../training/evaluate.ts';
import { remainingOf } from './basic.ts';

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
