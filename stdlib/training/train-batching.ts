// Train stages that run together (core/op.ts, StageBatching): those of one recipe — model, data,
// optimizer, length, end step and the step they start from — whatever their start weights, masks and
// data orders (seeds, controls, a family's members). The rule reads the stages' params only, so it is
// here, free of TensorFlow.js; what trains a group (train-together.ts) loads when a group first trains.
import { canonicalJson } from '../../core/json.ts';
import { loadOnce, type StageBatching } from '../../core/op.ts';
import type { Stage } from '../../core/stage.ts';

/** The params members of a group share: all but the data order. */
export function groupKey(stage: Stage): string | undefined {
  const { order: _order, ...recipe } = stage.params;
  return canonicalJson({ op: stage.op, version: stage.version, recipe, from: stage.runPoint?.from ?? null });
}

const trainTogether = loadOnce(() => import('./train-together.ts').then((m) => m.trainTogether));

export const trainBatching: StageBatching = { groupKey, implementation: async (calls) => (await trainTogether())(calls) };
