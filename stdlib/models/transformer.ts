// transformer(vocab, context, width, heads, layers, mlp_ratio: 4): a decoder-only, pre-layer-norm GPT
// with learned positions, causal self-attention and a GELU MLP; the `output` projection is not tied to
// the token embedding.
import * as tf from '@tensorflow/tfjs-core';
import { linear } from '../nn/ops.ts';
import { arg, LIMITS } from '../signature.ts';
import { defineModel } from './define.ts';
import { ModelError } from './errors.ts';
import { gelu, layerNorm, matrixOf, vectorOf } from './layers.ts';
import { readInt } from './params.ts';
import { denseParams, layerNormParams } from './specs.ts';
import type { LayoutBody, ModelParams, ParamSpec, Weights } from './types.ts';

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

/** Added to the attention scores of future positions: exp() of it is exactly 0 in float32. */
const MASKED_SCORE = -1e9;

/** [t, t]: 0 where a query may attend (key position <= query position), MASKED_SCORE elsewhere. */
function causalMask(t: number): tf.Tensor2D {
  const allowed = tf.linalg.bandPart(tf.ones([t, t]), -1, 0);
  return tf.mul(tf.sub(1, allowed), MASKED_SCORE);
}

/**
 * Next-token logits [n, t, vocab] for tokens [n, t] (t <= context): decoder-only, pre-layer-norm,
 * causal multi-head self-attention, GELU MLP, learned positions. Each block's MLP units (after the GELU,
 * one row per position: [n·t, mlp_ratio·width]) go into `hidden` as `blockI.mlp` when it is given; the
 * residual stream has no preferred basis, so its coordinates are not units.
 */
function transformerForward(p: TransformerParams, weights: Weights, tokens: tf.Tensor, hidden?: Record<string, tf.Tensor2D>): tf.Tensor3D {
  if (tokens.rank !== 2 || tokens.shape[1]! > p.context || tokens.shape[1]! < 1) {
    throw new Error(
      `transformer: expected tokens [n, t] with 1 <= t <= context ${p.context}, got shape [${tokens.shape.join(', ')}]`,
    );
  }
  const [n, t] = tokens.shape as [number, number];
  const w = p.width;
  const headWidth = w / p.heads;
  const dense = (layer: string, x: tf.Tensor2D) =>
    linear(x, matrixOf(weights, `${layer}.weight`), vectorOf(weights, `${layer}.bias`));
  const norm = (layer: string, x: tf.Tensor2D) =>
    layerNorm(x, vectorOf(weights, `${layer}.scale`), vectorOf(weights, `${layer}.shift`));
  // [n·t, w] -> [n, heads, t, headWidth]
  const splitHeads = (x: tf.Tensor2D) => tf.transpose(tf.reshape(x, [n, t, p.heads, headWidth]), [0, 2, 1, 3]);

  const ids = tokens.dtype === 'int32' ? tokens : tf.cast(tokens, 'int32');
  const embedded = tf.gather(matrixOf(weights, 'embed.weight'), tf.reshape(ids, [n * t]));
  const positions = tf.slice(matrixOf(weights, 'position.weight'), [0, 0], [t, w]);
  // The residual stream is kept as [n·t, w] so every dense layer is one matMul.
  let h = tf.reshape(tf.add(tf.reshape(embedded, [n, t, w]), positions), [n * t, w]) as tf.Tensor2D;
  const mask = causalMask(t);

  for (let i = 1; i <= p.layers; i++) {
    const block = `block${i}`;
    const x = norm(`${block}.ln1`, h);
    const q = splitHeads(dense(`${block}.attn.query`, x));
    const k = splitHeads(dense(`${block}.attn.key`, x));
    const v = splitHeads(dense(`${block}.attn.value`, x));
    // Explicit transpose rather than matMul's transposeB: the latter is slow on the wasm backend.
    const scores = tf.add(tf.mul(tf.matMul(q, tf.transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(headWidth)), mask);
    const attended = tf.matMul(tf.softmax(scores), v);
    const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [n * t, w]) as tf.Tensor2D;
    h = tf.add(h, dense(`${block}.attn.proj`, merged));
    const units = gelu(dense(`${block}.mlp.fc1`, norm(`${block}.ln2`, h)));
    if (hidden) hidden[`${block}.mlp`] = units;
    h = tf.add(h, dense(`${block}.mlp.fc2`, units));
  }
  const logits = dense('output', norm('ln_f', h));
  return tf.reshape(logits, [n, t, p.vocab]);
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
  forward: (p, weights, tokens, opts) => {
    const hidden = opts.hidden ? {} : undefined;
    return { output: transformerForward(p, weights, tokens, hidden), ...(hidden && { hidden }) };
  },
  inputDtype: 'int32',
});
