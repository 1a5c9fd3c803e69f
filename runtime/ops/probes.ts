// The basic probes as stages: accuracy and loss of a checkpoint on a split, sparsity of a mask.
import type { Stage } from '../../core/stage.ts';
import { accuracyProbe, lossProbe, sparsityProbe, type EvaluationTarget } from '../../stdlib/probes/basic.ts';
import type { Artifact } from '../../core/artifacts.ts';
import { StageFailure, throwIfAborted, type ExecContext } from './context.ts';
import { checkFits, datasetFor, layoutOf, messageOf } from './models.ts';
import { checkpointInput, checkpointOrMaskInput, dataParam } from './params.ts';
import type { StageImplementation } from './registry.ts';

async function evaluationTarget(stage: Stage, inputs: Record<string, Artifact>, ctx: ExecContext): Promise<EvaluationTarget> {
  const checkpoint = checkpointInput(stage, inputs, 'x');
  const on = dataParam(stage.params, 'on');
  const layout = layoutOf(checkpoint.model);
  const dataset = await datasetFor(on.dataset, ctx);
  checkFits(layout, dataset);
  throwIfAborted(ctx.signal);
  return { checkpoint, dataset, split: on.split, tensors: ctx.tensors };
}

function failing<T>(op: string, compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    throw error instanceof StageFailure ? error : new StageFailure(`${op}: ${messageOf(error)}`);
  }
}

export const accuracyStage: StageImplementation = async (stage, inputs, ctx) => {
  const target = await evaluationTarget(stage, inputs, ctx);
  return failing('accuracy', () => accuracyProbe(target));
};

export const lossStage: StageImplementation = async (stage, inputs, ctx) => {
  const target = await evaluationTarget(stage, inputs, ctx);
  return failing('loss', () => lossProbe(target));
};

export const sparsityStage: StageImplementation = async (stage, inputs) => {
  const x = checkpointOrMaskInput(stage, inputs, 'x');
  layoutOf(x.model);
  return sparsityProbe(x);
};
