// Train stages that run together (core/op.ts, StageBatching): those of one recipe — model, data,
// optimizer, length, end step and the step they start from — whatever their start weights, masks and
// data orders (seeds, controls, a family's members). The rule reads the stages' params only, so it is
// here, free of TensorFlow.js; what trains a group (train-together.ts) loads when a group first trains.
import type { Checkpoint } from '../../core/artifacts.ts';
import { canonicalJson } from '../../core/json.ts';
import { loadOnce, type StageBatching, type StageCall } from '../../core/op.ts';
import { RUN_START_ROLE } from '../../core/run-point.ts';
import type { Stage } from '../../core/stage.ts';
import { modelModules } from '../models/index.ts';
import { runsSparse } from '../nn/sparse-rule.ts';

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

/**
 * Whether a start's mask selects the sparse layer kernels (nn/sparse-rule.ts) for some layer: such a
 * run trains alone, since the stacked layers are dense and would not give it the bits it gets alone.
 */
export function startsSparse(start: Pick<Checkpoint, 'mask'>): boolean {
  const masks = start.mask?.masks;
  return masks !== undefined && [...masks.values()].some((keep) => runsSparse(keep.data, keep.shape));
}

/** A member that would train alone is handed back to be scheduled on its own (a worker of its own). */
function alone({ inputs }: Pick<StageCall, 'stage' | 'inputs'>): boolean {
  const start = inputs[RUN_START_ROLE];
  return start?.kind === 'checkpoint' && startsSparse(start);
}

const trainTogether = loadOnce(() => import('./train-together.ts').then((m) => m.trainTogether));

export const trainBatching: StageBatching = { groupKey, alone, implementation: async (calls) => (await trainTogether())(calls) };
