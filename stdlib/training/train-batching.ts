// Train stages that run together (core/op.ts, StageBatching): those of one recipe — model, data,
// optimizer, length, end step and the step they start from — whatever their start weights, masks and
// data orders (seeds, controls, a family's members). The rule reads the stages' params only, so it is
// here, free of TensorFlow.js; what trains a group (train-together.ts) loads when a group first trains.
import { canonicalJson } from '../../core/json.ts';
import { loadOnce, type StageBatching } from '../../core/op.ts';
import type { Stage } from '../../core/stage.ts';
import { modelModules } from '../models/index.ts';

/**
 * Models whose forward pass has a stacked form (replicates' layers computed as one op). Replicates of
 * any other model would train one after another inside their group, gaining nothing and holding a worker
 * that could train one of them: those stages do not group.
 */
const STACKED_MODELS = new Set(modelModules.filter((m) => m.model.stackedForward !== undefined).map((m) => m.name));

/** The params members of a group share: all but the data order. */
export function groupKey(stage: Stage): string | undefined {
  const model = stage.params['model'];
  const op = model !== null && typeof model === 'object' && !Array.isArray(model) ? model['op'] : undefined;
  if (typeof op !== 'string' || !STACKED_MODELS.has(op)) return undefined;
  const { order: _order, ...recipe } = stage.params;
  return canonicalJson({ op: stage.op, version: stage.version, recipe, from: stage.runPoint?.from ?? null });
}

const trainTogether = loadOnce(() => import('./train-together.ts').then((m) => m.trainTogether));

export const trainBatching: StageBatching = { groupKey, implementation: async (calls) => (await trainTogether())(calls) };
