// The model a stage computes with, found in the Library the runtime was given, with every problem turned
// into a StageFailure the user can act on: a model the library lacks, an impossible model, artifacts of
// two different models.
import type { OpRef } from '../../core/artifacts.ts';
import type { OpCatalog, OpModule } from '../../core/op.ts';
import type { ModelLayout, ModelModule } from '../models/types.ts';
import { messageOf, StageFailure } from './failure.ts';

/** The layout of `model` as `library`'s model of that name lays it out; it carries that model's forward pass. */
export function layoutOf(model: OpRef, library: OpCatalog): ModelLayout {
  const module = library.op(model.op);
  if (!isModel(module)) throw new StageFailure(`model ${model.op}: the library ltx runs with has no model of that name`);
  try {
    return module.model.layout(model.params);
  } catch (error) {
    throw new StageFailure(`model ${model.op}: ${messageOf(error)}`);
  }
}

/** Imports the forward pass of `model` as `library` has it: a stage that computes with a model awaits this first. */
export async function loadModel(model: OpRef, library: OpCatalog): Promise<void> {
  const module = library.op(model.op);
  if (isModel(module)) await module.model.load();
}

function isModel(module: OpModule | undefined): module is ModelModule {
  return module?.lowering.rule === 'model' && 'model' in module;
}

/** Two artifacts meant for one model (a mask and weights, a recipe and its start); `explain` words the failure. */
export function checkSameModel(a: OpRef, b: OpRef, explain: (a: string, b: string) => string): void {
  if (a.op !== b.op || JSON.stringify(sorted(a.params)) !== JSON.stringify(sorted(b.params))) {
    throw new StageFailure(explain(describeModel(a), describeModel(b)));
  }
}

/** `op: the two masks are of different models, mlp(…) and conv(…)`: for ops comparing several artifacts. */
export function checkAllSameModel(op: string, what: string, models: readonly OpRef[]): void {
  for (const model of models.slice(1)) checkSameModel(models[0]!, model, (x, y) => `${op}: ${what} are of different models, ${x} and ${y}`);
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
