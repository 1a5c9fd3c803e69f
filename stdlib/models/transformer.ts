// transformer(vocab, context, width, heads, layers, mlp_ratio: 4): a decoder-only, pre-layer-norm GPT
// with learned positions, causal self-attention and a GELU MLP; the `output` projection is not tied to
// the token embedding.
import { arg, LIMITS } from '../signature.ts';
import { defineModel } from './define.ts';
import { ModelError } from './errors.ts';
import { readInt } from './params.ts';
import { denseParams, layerNormParams } from './specs.ts';
import type { LayoutBody, ModelParams, ParamSpec } from './types.ts';

export interface TransformerParams {
  vocab: number;
  context: number;
  width: number;
  heads: number;
  layers: number;
  mlp_ratio: number;
}

export function resolveTransformerParams(args: ModelParams): TransformerParams {
  const p = {
    vocab: readInt('transformer', args, 'vocab'),
    context: readInt('transformer', args, 'context'),
    width: readInt('transformer', args, 'width'),
    heads: readInt('transformer', args, 'heads'),
    layers: readInt('transformer', args, 'layers'),
    mlp_ratio: readInt('transformer', args, 'mlp_ratio'),
  };
  if (p.width % p.heads !== 0) {
    throw new ModelError(
      `transformer: width ${p.width} is not divisible by heads ${p.heads}: each head gets width / heads features`,
      'heads',
    );
  }
  return p;
}

function table(layer: string, role: 'embedding' | 'position', rows: number, width: number): ParamSpec {
  return { name: `${layer}.weight`, layer, role, shape: [rows, width], prunable: false, fanIn: rows, fanOut: width };
}

/** The hidden representation of block `block` the forward exposes: its MLP's units after the GELU. */
export function blockMlpUnits(block: string): string {
  return `${block}.mlp`;
}

export function transformerHiddenLayers(p: TransformerParams): string[] {
  return Array.from({ length: p.layers }, (_, i) => blockMlpUnits(`block${i + 1}`));
}

function transformerLayout(p: TransformerParams): LayoutBody {
  const w = p.width;
  const params: ParamSpec[] = [table('embed', 'embedding', p.vocab, w), table('position', 'position', p.context, w)];
  for (let i = 1; i <= p.layers; i++) {
    const block = `block${i}`;
    params.push(
      ...layerNormParams(`${block}.ln1`, w),
      ...denseParams(`${block}.attn.query`, w, w),
      ...denseParams(`${block}.attn.key`, w, w),
      ...denseParams(`${block}.attn.value`, w, w),
      ...denseParams(`${block}.attn.proj`, w, w),
      ...layerNormParams(`${block}.ln2`, w),
      ...denseParams(`${block}.mlp.fc1`, w, p.mlp_ratio * w),
      ...denseParams(`${block}.mlp.fc2`, p.mlp_ratio * w, w),
    );
  }
  params.push(...layerNormParams('ln_f', w), ...denseParams('output', w, p.vocab));
  return { params, inputShape: [p.context], outputs: p.vocab };
}

export const transformer = defineModel({
  name: 'transformer',
  summary: 'A decoder-only transformer (pre-layer-norm, causal attention, learned positions, GELU MLP) for language-model tickets. Prunable: blockI.attn.query/key/value/proj, blockI.mlp.fc1/fc2, output.',
  version: 1,
  positional: ['vocab', 'context', 'width', 'heads', 'layers'],
  parameters: {
    vocab: arg.count('vocabulary size', LIMITS.width, { minimum: 2 }),
    context: arg.count('context length', LIMITS.positions),
    width: arg.count('model width', LIMITS.width),
    heads: arg.count('attention heads (must divide width)', LIMITS.width),
    layers: arg.count('number of blocks', LIMITS.layers),
    mlp_ratio: arg.count('MLP width as a multiple of the model width', LIMITS.width, { default: 4 }),
  },
  required: ['vocab', 'context', 'width', 'heads', 'layers'],
  read: resolveTransformerParams,
  layout: transformerLayout,
  hiddenLayers: transformerHiddenLayers,
  network: () => import('./transformer-forward.ts'),
  inputDtype: 'int32',
});
