// The stages of initial weights. init: a model's initial weights (a checkpoint at step 0), the stage op of
// every init scheme. reinit: the random-reinitialization control, weights drawn afresh with the init's
// scheme and another seed, then ⊙ mask.
import type { Checkpoint, OpRef, TensorValue } from '../../core/artifacts.ts';
import type { StageImplementation } from '../../core/op.ts';
import type { Stage } from '../../core/stage.ts';
import type { ModelLayout } from '../models/layout.ts';
import { applyMask } from '../pruning/index.ts';
import { messageOf, StageFailure } from '../stage-support/failure.ts';
import { checkSameModel, layoutOf } from '../stage-support/models.ts';
import { integerParam, maskInput, numberParam, opRefParam, stringParam } from '../stage-support/params.ts';
import { INIT_SCHEMES, initialize, type InitOptions, type InitScheme } from './index.ts';

function initialWeights(stage: Stage): { model: OpRef; layout: ModelLayout; weights: Map<string, TensorValue> } {
  const model = opRefParam(stage.params, 'model');
  const layout = layoutOf(model);
  const scheme = stringParam<InitScheme>(stage.params, 'scheme', INIT_SCHEMES);
  const options: InitOptions = { seed: integerParam(stage.params, 'seed') };
  // Only the schemes with a `std` parameter (normal) have one.
  if (stage.params['std'] !== undefined) options.std = numberParam(stage.params, 'std');
  let values: Map<string, Float32Array>;
  try {
    values = initialize(layout, scheme, options);
  } catch (error) {
    throw new StageFailure(`${scheme}: ${messageOf(error)}`);
  }
  const weights = new Map<string, TensorValue>();
  for (const spec of layout.params) weights.set(spec.name, { shape: [...spec.shape], data: values.get(spec.name)! });
  return { model, layout, weights };
}

export const initStage: StageImplementation = async (stage) => {
  const { model, weights } = initialWeights(stage);
  const checkpoint: Checkpoint = { kind: 'checkpoint', model, step: 0, weights };
  return checkpoint;
};

export const reinitStage: StageImplementation = async (stage, inputs) => {
  const mask = maskInput(stage, inputs, 'mask');
  const { model, weights } = initialWeights(stage);
  checkSameModel(mask.model, model, (m, w) => `reinit: the mask was made for ${m}, but the init is of ${w}`);
  let masked: Map<string, TensorValue>;
  try {
    masked = applyMask(weights, mask.masks);
  } catch (error) {
    throw new StageFailure(`reinit: ${messageOf(error)}`);
  }
  const checkpoint: Checkpoint = { kind: 'checkpoint', model, step: 0, weights: masked, mask };
  return checkpoint;
};
