// The stages of initial weights. init: a model's initial weights (a checkpoint at step 0), the stage op of
// every init scheme. reinit: the random-reinitialization control, weights drawn afresh with the init's
// scheme and another seed, then ⊙ mask.
import type { Checkpoint, OpRef, TensorValue } from '../../core/artifacts.ts';
import type { OpCatalog, OpModule, StageImplementation } from '../../core/op.ts';
import type { Stage } from '../../core/stage.ts';
import type { ModelLayout } from '../models/layout.ts';
import { applyMask } from '../pruning/apply-mask.ts';
import { messageOf, StageFailure } from '../stage-support/failure.ts';
import { checkSameModel, layoutOf } from '../stage-support/models.ts';
import { integerParam, maskInput, numberParam, opRefParam, present } from '../stage-support/params.ts';
import { initializeWith, type InitModule, type InitOptions } from './index.ts';

function initialWeights(stage: Stage, library: OpCatalog): { model: OpRef; layout: ModelLayout; weights: Map<string, TensorValue> } {
  const model = opRefParam(stage.params, 'model');
  const layout = layoutOf(model, library);
  const scheme = schemeOf(stage, library);
  const options: InitOptions = { seed: integerParam(stage.params, 'seed') };
  // Only the schemes with a `std` parameter (normal) have one.
  if (stage.params['std'] !== undefined) options.std = numberParam(stage.params, 'std');
  let values: Map<string, Float32Array>;
  try {
    values = initializeWith(layout, scheme, options);
  } catch (error) {
    throw new StageFailure(`${scheme.name}: ${messageOf(error)}`);
  }
  const weights = new Map<string, TensorValue>();
  for (const spec of layout.params) weights.set(spec.name, { shape: [...spec.shape], data: values.get(spec.name)! });
  return { model, layout, weights };
}

/** The init scheme the stage's `scheme` parameter names, as `library` has it. */
function schemeOf(stage: Stage, library: OpCatalog): InitModule {
  const name = present(stage.params, 'scheme');
  const module = typeof name === 'string' ? library.op(name) : undefined;
  if (!isInitScheme(module)) throw new StageFailure(`parameter 'scheme': the library ltx runs with has no init scheme ${JSON.stringify(name)}`);
  return module;
}

function isInitScheme(module: OpModule | undefined): module is InitModule {
  return module?.lowering.rule === 'init' && 'init' in module;
}

export const initStage: StageImplementation = async (stage, _inputs, ctx) => {
  const { model, weights } = initialWeights(stage, ctx.library);
  const checkpoint: Checkpoint = { kind: 'checkpoint', model, step: 0, weights };
  return checkpoint;
};

export const reinitStage: StageImplementation = async (stage, inputs, ctx) => {
  const mask = maskInput(stage, inputs, 'mask');
  const { model, weights } = initialWeights(stage, ctx.library);
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
