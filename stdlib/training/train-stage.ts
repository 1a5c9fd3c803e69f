// train: the checkpoint of a training recipe at step `to`, trained from the checkpoint in input `start`
// (the run's start, or the latest checkpoint of the run the cache has: the runtime chooses); the stage op
// of `fit`. A long stage commits intermediate checkpoints through the context, when it asks for them.
import type { StageContext, StageImplementation } from '../../core/op.ts';
import type { Artifact } from '../../core/artifacts.ts';
import type { Stage } from '../../core/stage.ts';
import { readBatchSize, readOptimizerConfig, type OptimizerConfig } from '../optimizers/index.ts';
import { messageOf, StageFailure } from '../stage-support/failure.ts';
import { checkFits, datasetFor } from '../stage-support/data.ts';
import { checkSameModel, layoutOf, loadModel } from '../stage-support/models.ts';
import { checkpointInput, dataParam, integerParam, opRefParam, present } from '../stage-support/params.ts';
import { trainSegment, TrainingDiverged, type SegmentOptions } from './trainer.ts';

/** A train stage's segment as the trainer takes it, read and checked from its params and inputs. */
export async function segmentOf(stage: Stage, inputs: Record<string, Artifact>, ctx: StageContext): Promise<SegmentOptions> {
  const p = stage.params;
  const model = opRefParam(p, 'model');
  const layout = layoutOf(model, ctx.library);
  await loadModel(model, ctx.library);
  const data = dataParam(p, 'data');
  const optimizerParam = present(p, 'optimizer');
  let optimizer: OptimizerConfig;
  let batch: number;
  try {
    optimizer = readOptimizerConfig(optimizerParam);
    batch = readBatchSize(optimizerParam);
  } catch (error) {
    throw new StageFailure(messageOf(error));
  }
  const steps = integerParam(p, 'steps');
  const to = integerParam(p, 'to');
  const order = integerParam(p, 'order');
  const start = checkpointInput(stage, inputs, 'start');
  const from = start.step;
  if (!(from < to && to <= steps)) throw new StageFailure(`a training stage must satisfy start step < to ≤ steps, got a start checkpoint at step ${from}, to ${to}, steps ${steps}`);
  checkSameModel(model, start.model, (r, c) => `train: the recipe trains ${r}, but the start checkpoint is of ${c}`);
  const dataset = await datasetFor(data.dataset, ctx);
  checkFits(layout, dataset);
  if (dataset[data.split].n === 0) throw new StageFailure(`the ${data.split} split of ${dataset.name} has no examples`);
  return {
    layout, modelParams: model.params, dataset, split: data.split, optimizer, batch,
    totalSteps: steps, order, from, to, start, tensors: ctx.tensors,
    signal: ctx.signal,
    onProgress: (progress) => ctx.progress(progress),
    ...(ctx.checkpoints === undefined ? {} : { checkpoints: ctx.checkpoints }),
  };
}

/** A NaN or infinite loss is the stage's failure, in words for the user. */
export function asStageFailure(error: unknown): unknown {
  return error instanceof TrainingDiverged ? new StageFailure(error.message) : error;
}

export const trainStage: StageImplementation = async (stage, inputs, ctx) => {
  const segment = await segmentOf(stage, inputs, ctx);
  try {
    return await trainSegment(segment);
  } catch (error) {
    throw asStageFailure(error);
  }
};
