// The data a stage computes on, with every problem turned into a StageFailure the user can act on: a
// dataset that cannot be read, a model that does not fit its dataset.
import type { Checkpoint, OpRef } from '../../core/artifacts.ts';
import type { StageContext } from '../../core/op.ts';
import type { Stage } from '../../core/stage.ts';
import type { LoadedDataset } from '../datasets/index.ts';
import type { ModelLayout } from '../models/layout.ts';
import { incompatibility } from '../training/compatibility.ts';
import { datasetCache } from './data-cache.ts';
import { messageOf, StageFailure, throwIfAborted } from './failure.ts';
import { layoutOf, loadModel } from './models.ts';
import { dataParam } from './params.ts';

/** The dataset `ref` of the stage's program, from this process's dataset cache. */
export async function datasetFor(ref: OpRef, ctx: StageContext): Promise<LoadedDataset> {
  try {
    return await datasetCache.load(ref, ctx.programDir);
  } catch (error) {
    throw new StageFailure(`dataset ${ref.op}: ${messageOf(error)}`);
  }
}

/** A model that fits `dataset`, or a StageFailure saying what does not fit. */
export function checkFits(layout: ModelLayout, dataset: LoadedDataset): void {
  const problem = incompatibility(layout, dataset);
  if (problem) throw new StageFailure(problem);
}

/** A probe's `on` split, loaded, with the model of every checkpoint checked to fit it and its forward pass loaded. */
export async function probeData(stage: Stage, ctx: StageContext, checkpoints: readonly Checkpoint[]): Promise<{ dataset: LoadedDataset; split: 'train' | 'test' }> {
  const on = dataParam(stage.params, 'on');
  const layouts = checkpoints.map((c) => layoutOf(c.model, ctx.library));
  await Promise.all(checkpoints.map((c) => loadModel(c.model, ctx.library)));
  const dataset = await datasetFor(on.dataset, ctx);
  for (const layout of layouts) checkFits(layout, dataset);
  throwIfAborted(ctx.signal);
  return { dataset, split: on.split };
}
