// The model and data a stage computes on, with every problem turned into a StageFailure the user can act
// on: an impossible model, a dataset that cannot be read, a model that does not fit its dataset.
import { modelLayout, type ModelLayout } from '../../stdlib/models/layout.ts';
import type { LoadedDataset } from '../../stdlib/datasets/index.ts';
import { incompatibility } from '../../stdlib/training/compatibility.ts';
import type { OpRef } from '../../core/artifacts.ts';
import { StageFailure, type ExecContext } from './context.ts';

export function layoutOf(model: OpRef): ModelLayout {
  try {
    return modelLayout(model.op, model.params);
  } catch (error) {
    throw new StageFailure(`model ${model.op}: ${messageOf(error)}`);
  }
}

export async function datasetFor(ref: OpRef, ctx: ExecContext): Promise<LoadedDataset> {
  try {
    return await ctx.data.load(ref, ctx.programDir);
  } catch (error) {
    throw new StageFailure(`dataset ${ref.op}: ${messageOf(error)}`);
  }
}

/** A model that fits `dataset`, or a StageFailure saying what does not fit. */
export function checkFits(layout: ModelLayout, dataset: LoadedDataset): void {
  const problem = incompatibility(layout, dataset);
  if (problem) throw new StageFailure(problem);
}

/** Two artifacts meant for one model (a mask and weights, a recipe and its start); `explain` words the failure. */
export function checkSameModel(a: OpRef, b: OpRef, explain: (a: string, b: string) => string): void {
  if (a.op !== b.op || JSON.stringify(sorted(a.params)) !== JSON.stringify(sorted(b.params))) {
    throw new StageFailure(explain(describeModel(a), describeModel(b)));
  }
}

/** `mlp({"activation":"relu","classes":10,…})`, keys sorted so equal models read alike. */
export function describeModel(model: OpRef): string {
  return `${model.op}(${JSON.stringify(sorted(model.params))})`;
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted((value as Record<string, unknown>)[k])]));
  }
  return value;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
