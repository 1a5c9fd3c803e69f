// transformer(vocab, context, width, heads, layers, mlp_ratio: 4): a decoder-only, pre-layer-norm GPT
// with learned positions, causal self-attention and a GELU MLP; the `output` projection is not tied to
// the token embedding.
import { ModelError } from './errors.ts';
import type { LayoutBody, ParamSpec } from './layout.ts';
import { readInt } from './params.ts';
import { denseParams, layerNormParams } from './specs.ts';

export interface TransformerParams {
  vocab: number;
  context: number;
  width: number;
  heads: number;
  layers: number;
  mlp_ratio: number;
}

export const TRANSFORMER_DEFAULTS = { mlp_ratio: 4 };

export function resolveTransformerParams(args: Record<string, unknown>): TransformerParams {
  const p = {
    vocab: readInt('transformer', args, 'vocab'),
    context: readInt('transformer', args, 'context'),
    width: readInt('transformer', args, 'width'),
    heads: readInt('transformer', args, 'heads'),
    layers: readInt('transformer', args, 'layers'),
    mlp_ratio: readInt('transformer', args, 'mlp_ratio', TRANSFORMER_DEFAULTS.mlp_ratio),
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

export function transformerLayout(args: Record<string, unknown>): LayoutBody {
  const p = resolveTransformerParams(args);
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
