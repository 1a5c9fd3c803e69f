// A model module from what its file knows: its signature, how to read its parameters into the model's
// own typed form, its layout and where its forward pass is. The rest (category, return type, lowering
// rule, prunable layers) is the same for every model. The forward pass computes on TensorFlow.js, which
// the commands that only compile never load: it lives in its own module, imported on first use.
import type * as tf from '@tensorflow/tfjs-core';
import { loadOnce } from '../../core/op.ts';
import { signatureOf, type SignatureSpec } from '../signature.ts';
import type { ForwardOptions, ForwardResult, LayoutBody, ModelImplementation, ModelLayout, ModelModule, ModelParams, ParamSpec, Weights } from './types.ts';

export interface ModelSpec<Params> extends SignatureSpec {
  /** The parameters (defaults filled) in the model's own form; throws ModelError naming the one at fault. */
  read(params: ModelParams): Params;
  layout(p: Params): LayoutBody;
  /** The module of its forward pass: `() => import('./x-forward.ts')`. */
  network(): Promise<ModelNetwork<Params>>;
  /** Token ids for language models; floats (the default) otherwise. */
  inputDtype?: 'float32' | 'int32';
}

/** What a model's forward module exports. */
export interface ModelNetwork<Params> {
  forward(p: Params, weights: Weights, x: tf.Tensor, opts: ForwardOptions): ForwardResult;
}

export function defineModel<Params>(spec: ModelSpec<Params>): ModelModule {
  const inputDtype = spec.inputDtype ?? 'float32';
  const network = loadOnce(spec.network);
  let loaded: ModelNetwork<Params> | undefined;
  const load = async () => {
    loaded ??= await network();
  };
  const forward: ModelImplementation['forward'] = (params, weights, x, opts) => {
    if (!loaded) throw new Error(`${spec.name}: its forward pass is not loaded yet (await the model's load() first)`);
    return loaded.forward(spec.read(params), weights, x, opts);
  };
  const layout = (params: ModelParams): ModelLayout => {
    const body = spec.layout(spec.read(params));
    const weights = body.params.reduce((total, p) => total + p.shape.reduce((a, b) => a * b, 1), 0);
    return { op: spec.name, ...body, tokens: spec.inputDtype === 'int32', prunableLayers: prunableLayersOf(body.params), weights, inputDtype, forward };
  };
  return {
    ...signatureOf(spec, 'model', 'model'),
    lowering: { rule: 'model', shape: layout },
    model: { layout, forward, inputDtype, load },
  };
}

function prunableLayersOf(params: ParamSpec[]): string[] {
  const layers: string[] = [];
  for (const p of params) if (p.prunable && !layers.includes(p.layer)) layers.push(p.layer);
  return layers;
}
