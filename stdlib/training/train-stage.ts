// train: the checkpoint of a training recipe at step `to`, trained from the checkpoint in input `start`
// (the run's start, or the latest checkpoint of the run the cache has: the runtime chooses); the stage op
// of `fit`. A long stage commits intermediate checkpoints through the context, when it asks for them.
import type { StageImplementation } from '../../core/op.ts';
import { readBatchSize, readOptimizerConfig, type OptimizerConfig } from '../optimizers/index.ts';
import { messageOf, StageFailure } from '../stage-support/failure.ts';
import { checkFits, datasetFor } from '../stage-support/data.ts';
import { checkSameModel, layoutOf, loadModel } from '../stage-support/models.ts';
import { checkpointInput, dataParam, integerParam, opRefParam, present } from '../stage-support/params.ts';
import { trainSegment, TrainingDiverged } from './trainer.ts';

export const trainStage: StageImplementation = async (stage, inputs, ctx) => {
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
  try {
    return await trainSegment({
      layout, modelParams: model.params, dataset, split: data.split, optimizer, batch,
      totalSteps: steps, order, from, to, start, tensors: ctx.tensors,
      signal: ctx.signal,
      onProgress: (progress) => ctx.progress(progress),
      ...(ctx.checkpoints === undefined ? {} : { checkpoints: ctx.checkpoints }),
    });
  } catch (error) {
    if (error instanceof TrainingDiverged) throw new StageFailure(error.message);
    throw error;
  }
};
