// A model module from what its file knows: its signature, how to read its parameters into the model's
// own typed form, its layout and where its forward pass is. The rest (category, return type, lowering
// rule, prunable layers) is the same for every model. The forward pass computes on TensorFlow.js, which
// the commands that only compile never load: it lives in its own module, imported on first use.
import type * as tf from '@tensorflow/tfjs-core';
import { signatureOf, type SignatureSpec } from '../signature.ts';
import type { Task } from '../nn/losses.ts';
import type { ForwardOptions, ForwardResult, LayoutBody, LossAndGradients, ModelImplementation, ModelLayout, ModelModule, ModelParams, ParamSpec, Weights } from './types.ts';

export interface ModelSpec<Params> extends SignatureSpec {
  /** The parameters (defaults filled) in the model's own form; throws ModelError naming the one at fault. */
  read(params: ModelParams): Params;
  layout(p: Params): LayoutBody;
  /**
   * The hidden representations its forward returns when asked (ForwardOptions.hidden), by name in forward
   * order: what the representation probes' `layer:` may name. Declared here, beside the layout, because
   * the compiler checks those names without loading the forward module; `noHiddenLayers` for a model
   * that exposes none.
   */
  hiddenLayers(p: Params): string[];
  /** The module of its forward pass: `() => import('./x-forward.ts')`. */
  network(): Promise<ModelNetwork<Params>>;
  /** Token ids for language models; floats (the default) otherwise. */
  inputDtype?: 'float32' | 'int32';
  /**
   * Whether its forward module exports `stackedForward` (replicates trained together). Declared here
   * because a run decides how to train before, and without, loading the module.
   */
  stacked?: boolean;
}

/** What a model's forward module exports. */
export interface ModelNetwork<Params> {
  forward(p: Params, weights: Weights, x: tf.Tensor, opts: ForwardOptions): ForwardResult;
  /** The forward of R stacked replicates (ModelImplementation.stackedForward), where the model has one. */
  stackedForward?(p: Params, weights: Weights, x: tf.Tensor): tf.Tensor;
  /** The tape-free loss and gradients (ModelImplementation.lossAndGradients), where the model has them. */
  lossAndGradients?(p: Params, weights: Weights, x: tf.Tensor, y: tf.Tensor, task: Task): LossAndGradients | undefined;
}

/** The hiddenLayers of a model whose forward exposes no hidden representations. */
export function noHiddenLayers(): string[] {
  return [];
}

export function defineModel<Params>(spec: ModelSpec<Params>): ModelModule {
  const inputDtype = spec.inputDtype ?? 'float32';
  let loaded: ModelNetwork<Params> | undefined;
  // import() is itself cached by the module loader: a second load awaits the same module.
  const load = async () => {
    loaded ??= await spec.network();
  };
  const network = (): ModelNetwork<Params> => {
    if (!loaded) throw new Error(`${spec.name}: its forward pass is not loaded yet (await the model's load() first)`);
    return loaded;
  };
  // The forward pass runs every training step with the same params object: read it into the model's
  // own form once.
  const readParams = new WeakMap<ModelParams, Params>();
  const read = (params: ModelParams): Params => {
    let p = readParams.get(params);
    if (p === undefined) readParams.set(params, (p = spec.read(params)));
    return p;
  };
  const forward: ModelImplementation['forward'] = (params, weights, x, opts) => network().forward(read(params), weights, x, opts);
  const stackedForward: ModelImplementation['stackedForward'] = spec.stacked
    ? (params, weights, x) => {
        const stacked = network().stackedForward;
        if (!stacked) throw new Error(`${spec.name}: declared stacked, but its forward module exports no stackedForward`);
        return stacked(read(params), weights, x);
      }
    : undefined;
  const stackedPart = stackedForward ? { stackedForward } : {};
  const lossAndGradients: ModelImplementation['lossAndGradients'] = (params, weights, x, y, task) =>
    network().lossAndGradients?.(read(params), weights, x, y, task);
  const layout = (params: ModelParams): ModelLayout => {
    const p = spec.read(params);
    const body = spec.layout(p);
    const weights = body.params.reduce((total, q) => total + q.shape.reduce((a, b) => a * b, 1), 0);
    return {
      op: spec.name, ...body, tokens: spec.inputDtype === 'int32', prunableLayers: prunableLayersOf(body.params), hiddenLayers: spec.hiddenLayers(p),
      weights, inputDtype, forward, lossAndGradients, ...stackedPart,
    };
  };
  return {
    ...signatureOf(spec, 'model', 'model'),
    lowering: { rule: 'model', shape: layout },
    model: { layout, forward, lossAndGradients, inputDtype, load, ...stackedPart },
  };
}

function prunableLayersOf(params: ParamSpec[]): string[] {
  const layers: string[] = [];
  for (const p of params) if (p.prunable && !layers.includes(p.layer)) layers.push(p.layer);
  return layers;
}
