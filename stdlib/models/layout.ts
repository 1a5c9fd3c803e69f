// What a model is made of, without any tensor library: the compiler imports this at compile time to
// check layer names (`skip`, `rates`) and the initializers use it to know each parameter's shape and fans.
import { ModelError } from './errors.ts';
import { mlpLayout } from './mlp.ts';
import { convLayout } from './conv.ts';
import { lenet5Layout } from './lenet5.ts';
import { resnetLayout } from './resnet.ts';
import { transformerLayout } from './transformer.ts';

/**
 * weight: a dense or conv kernel; bias: its additive term; norm_scale/norm_shift: the affine part of a
 * batch or layer norm; embedding/position: token and position tables; buffer: state that is not
 * trained by gradient (batch-norm running statistics).
 */
export type ParamRole = 'weight' | 'bias' | 'norm_scale' | 'norm_shift' | 'embedding' | 'position' | 'buffer';

export interface ParamSpec {
  /** Unique within the model, e.g. 'layer1.weight', 'stage2.block1.bn1.mean'. */
  name: string;
  /** The layer it belongs to, e.g. 'layer1', 'block2.attn.query': what `skip`/`rates` address. */
  layer: string;
  role: ParamRole;
  /** Dense kernels are [in, out]; conv kernels are HWIO [kh, kw, c_in, c_out]. */
  shape: number[];
  /** True exactly for dense and conv kernels (including attention and MLP matrices). */
  prunable: boolean;
  /** Conv fans count the receptive field: fanIn = kh·kw·c_in, fanOut = kh·kw·c_out (as PyTorch). */
  fanIn: number;
  fanOut: number;
}

export interface ModelLayout {
  op: string;
  /** In the order of the forward pass. */
  params: ParamSpec[];
  /** One example's shape: [features] for mlp, [h, w, c] for images, [context] tokens for transformer. */
  inputShape: number[];
  /** Classes (or regression targets) per example; vocabulary size per position for the transformer. */
  outputs: number;
  /** Layers that hold a prunable kernel, in forward order. */
  prunableLayers: string[];
}

/** Every model op `modelLayout` accepts. */
export const MODEL_OPS = ['mlp', 'conv', 'conv2', 'conv4', 'conv6', 'lenet5', 'resnet', 'transformer'] as const;
export type ModelOp = (typeof MODEL_OPS)[number];

export function isModelOp(op: string): op is ModelOp {
  return (MODEL_OPS as readonly string[]).includes(op);
}

/** The dtype the model's forward expects its input in: token ids for the transformer, floats otherwise. */
export function modelInputDtype(op: string): 'float32' | 'int32' {
  return op === 'transformer' ? 'int32' : 'float32';
}

/**
 * The layout of model `op` with (validated, defaults filled) parameters `params`.
 * Throws ModelError with a user-facing message when the parameters describe an impossible network.
 */
export function modelLayout(op: string, params: Record<string, unknown>): ModelLayout {
  if (!isModelOp(op)) {
    throw new ModelError(`unknown model '${op}' (known models: ${MODEL_OPS.join(', ')})`);
  }
  const body = layoutBody(op, params);
  return {
    op,
    params: body.params,
    inputShape: body.inputShape,
    outputs: body.outputs,
    prunableLayers: prunableLayersOf(body.params),
  };
}

/** What each model module contributes; modelLayout derives the rest. */
export interface LayoutBody {
  params: ParamSpec[];
  inputShape: number[];
  outputs: number;
}

function layoutBody(op: ModelOp, params: Record<string, unknown>): LayoutBody {
  switch (op) {
    case 'mlp':
      return mlpLayout(params);
    case 'conv':
    case 'conv2':
    case 'conv4':
    case 'conv6':
      return convLayout(op, params);
    case 'lenet5':
      return lenet5Layout(params);
    case 'resnet':
      return resnetLayout(params);
    case 'transformer':
      return transformerLayout(params);
  }
}

function prunableLayersOf(params: ParamSpec[]): string[] {
  const layers: string[] = [];
  for (const p of params) if (p.prunable && !layers.includes(p.layer)) layers.push(p.layer);
  return layers;
}

/** Total number of prunable weights (the denominator of every sparsity the probes report). */
export function prunableWeightCount(layout: ModelLayout): number {
  let total = 0;
  for (const p of layout.params) if (p.prunable) total += p.shape.reduce((a, b) => a * b, 1);
  return total;
}
