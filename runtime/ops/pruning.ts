// magnitude and random_mask make masks; rewind applies one to a checkpoint (weights ⊙ mask at the same
// step, with no optimizer state: training from it restarts the optimizer).
import { applyMask, magnitudeMasks, randomMasks } from '../../stdlib/pruning/index.ts';
import type { Checkpoint, Mask, TensorValue } from '../../core/artifacts.ts';
import { StageFailure } from './context.ts';
import { checkSameModel, layoutOf, messageOf } from './models.ts';
import { checkpointInput, integerParam, maskInput, numberParam, rateRecordParam, stringListParam, stringParam } from './params.ts';
import type { StageImplementation } from './registry.ts';

function failing<T>(what: string, compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    if (error instanceof StageFailure) throw error;
    throw new StageFailure(`${what}: ${messageOf(error)}`);
  }
}

export const magnitudeStage: StageImplementation = async (stage, inputs) => {
  const weights = checkpointInput(stage, inputs, 'weights');
  const layout = layoutOf(weights.model);
  if (weights.mask) checkSameModel(weights.mask.model, weights.model, (m, w) => `magnitude: the checkpoint's mask was made for ${m}, but its weights are of ${w}`);
  const options = {
    rate: numberParam(stage.params, 'rate'),
    scope: stringParam(stage.params, 'scope', ['global', 'layerwise'] as const, 'global'),
    skip: stringListParam(stage.params, 'skip'),
    rates: rateRecordParam(stage.params, 'rates'),
  };
  const masks = failing('magnitude', () => magnitudeMasks(layout, weights.weights, weights.mask?.masks, options));
  const mask: Mask = { kind: 'mask', model: weights.model, masks };
  return mask;
};

export const randomMaskStage: StageImplementation = async (stage, inputs) => {
  const like = maskInput(stage, inputs, 'like');
  const mask: Mask = { kind: 'mask', model: like.model, masks: randomMasks(like.masks, integerParam(stage.params, 'seed', 0)) };
  return mask;
};

export const rewindStage: StageImplementation = async (stage, inputs) => {
  const source = checkpointInput(stage, inputs, 'weights');
  const mask = maskInput(stage, inputs, 'mask');
  checkSameModel(mask.model, source.model, (m, w) => `rewind: the mask was made for ${m}, but the weights are of ${w}`);
  const weights: Map<string, TensorValue> = failing('rewind', () => applyMask(source.weights, mask.masks));
  const checkpoint: Checkpoint = { kind: 'checkpoint', model: source.model, step: source.step, weights, mask };
  return checkpoint;
};
