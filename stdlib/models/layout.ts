// What a model of the standard library is made of, by the name of its op: the initializers use it to
// know each parameter's shape and fans, pruning and the probes to know which weights are prunable. Stages
// resolve their model through the Library they are given instead (stage-support/models.ts).
import { modelModule } from './index.ts';
import type { ModelLayout, ModelParams } from './types.ts';

export { MODEL_OPS } from './index.ts';
export type { LayoutBody, ModelLayout, ParamRole, ParamSpec } from './types.ts';

/**
 * The layout of model `op` with (validated, defaults filled) parameters `params`.
 * Throws ModelError with a user-facing message when the parameters describe an impossible network.
 */
export function modelLayout(op: string, params: ModelParams): ModelLayout {
  return modelModule(op).model.layout(params);
}

/** Total number of prunable weights (the denominator of every sparsity the probes report). */
export function prunableWeightCount(layout: ModelLayout): number {
  let total = 0;
  for (const p of layout.params) if (p.prunable) total += p.shape.reduce((a, b) => a * b, 1);
  return total;
}
