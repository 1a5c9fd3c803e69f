// rewind: a mask applied to a checkpoint (weights ⊙ mask at the same step, with no optimizer state:
// training from it restarts the optimizer).
import type { Checkpoint, TensorValue } from '../../core/artifacts.ts';
import type { StageImplementation } from '../../core/op.ts';
import { failing } from '../stage-support/failure.ts';
import { checkSameModel } from '../stage-support/models.ts';
import { checkpointInput, maskInput } from '../stage-support/params.ts';
import { applyMask } from './apply-mask.ts';

export const rewindStage: StageImplementation = async (stage, inputs) => {
  const source = checkpointInput(stage, inputs, 'weights');
  const mask = maskInput(stage, inputs, 'mask');
  checkSameModel(mask.model, source.model, (m, w) => `rewind: the mask was made for ${m}, but the weights are of ${w}`);
  const weights: Map<string, TensorValue> = await failing('rewind', () => applyMask(source.weights, mask.masks));
  const checkpoint: Checkpoint = { kind: 'checkpoint', model: source.model, step: source.step, weights, mask };
  return checkpoint;
};
