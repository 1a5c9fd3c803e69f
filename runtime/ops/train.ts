// train: one segment [from, to) of a training recipe, from the checkpoint at `from` (input `start`).
// Gradients need tfjs's gradient registry, which only the full tfjs bundle fills: load it here so that a
// train stage works whoever chose the backend.
import '../backends/tfjs-setup.ts';
import { readBatchSize, readOptimizerConfig, type OptimizerConfig } from '../../stdlib/optimizers/index.ts';
import { trainSegment, TrainingDiverged } from '../../stdlib/training/trainer.ts';
import { StageFailure } from './context.ts';
import { checkFits, checkSameModel, datasetFor, layoutOf, messageOf } from './models.ts';
import { checkpointInput, dataParam, integerParam, opRefParam } from './params.ts';
import type { StageImplementation } from './registry.ts';

export const trainStage: StageImplementation = async (stage, inputs, ctx) => {
  const p = stage.params;
  const model = opRefParam(p, 'model');
  const layout = layoutOf(model);
  const data = dataParam(p, 'data');
  let optimizer: OptimizerConfig;
  let batch: number;
  try {
    optimizer = readOptimizerConfig(p['optimizer']);
    batch = readBatchSize(p['optimizer']);
  } catch (error) {
    throw new StageFailure(messageOf(error));
  }
  const steps = integerParam(p, 'steps');
  const from = integerParam(p, 'from');
  const to = integerParam(p, 'to');
  const order = integerParam(p, 'order', 0);
  if (!(from < to && to <= steps)) throw new StageFailure(`a training segment must satisfy from < to ≤ steps, got from ${from}, to ${to}, steps ${steps}`);
  const start = checkpointInput(stage, inputs, 'start');
  if (start.step !== from) throw new StageFailure(`the start checkpoint is at step ${start.step}, but this segment starts at step ${from}`);
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
    });
  } catch (error) {
    if (error instanceof TrainingDiverged) throw new StageFailure(error.message);
    throw error;
  }
};
