// A model module from what its file knows: its signature, how to read its parameters into the model's
// own typed form, its layout and its forward pass. The rest (category, return type, lowering rule,
// prunable layers) is the same for every model.
import type * as tf from '@tensorflow/tfjs-core';
import { signatureOf, type SignatureSpec } from '../signature.ts';
import type { ForwardOptions, ForwardResult, LayoutBody, ModelImplementation, ModelLayout, ModelModule, ModelParams, ParamSpec, Weights } from './types.ts';

export interface ModelSpec<Params> extends SignatureSpec {
  /** The parameters (defaults filled) in the model's own form; throws ModelError naming the one at fault. */
  read(params: ModelParams): Params;
  layout(p: Params): LayoutBody;
  forward(p: Params, weights: Weights, x: tf.Tensor, opts: ForwardOptions): ForwardResult;
  /** The forward of stacked replicates (ModelImplementation.stackedForward), if the model has one. */
  stackedForward?(p: Params, weights: Weights, x: tf.Tensor): tf.Tensor;
  /** Token ids for language models; floats (the default) otherwise. */
  inputDtype?: 'float32' | 'int32';
}

export function defineModel<Params>(spec: ModelSpec<Params>): ModelModule {
  const inputDtype = spec.inputDtype ?? 'float32';
  const forward: ModelImplementation['forward'] = (params, weights, x, opts) => spec.forward(spec.read(params), weights, x, opts);
  const stacked = spec.stackedForward;
  const stackedForward: ModelImplementation['stackedForward'] = stacked === undefined ? undefined : (params, weights, x) => stacked(spec.read(params), weights, x);
  const layout = (params: ModelParams): ModelLayout => {
    const body = spec.layout(spec.read(params));
    const weights = body.params.reduce((total, p) => total + p.shape.reduce((a, b) => a * b, 1), 0);
    return { op: spec.name, ...body, tokens: spec.inputDtype === 'int32', prunableLayers: prunableLayersOf(body.params), weights, inputDtype, forward, ...(stackedForward ? { stackedForward } : {}) };
  };
  return {
    ...signatureOf(spec, 'model', 'model'),
    lowering: { rule: 'model', shape: layout },
    model: { layout, forward, inputDtype, ...(stackedForward ? { stackedForward } : {}) },
  };
}

function prunableLayersOf(params: ParamSpec[]): string[] {
  const layers: string[] = [];
  for (const p of params) if (p.prunable && !layers.includes(p.layer)) layers.push(p.layer);
  return layers;
}
