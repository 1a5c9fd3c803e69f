// The forward pass of transformer (its layers are in transformer.ts), on tensors: loaded when a stage first
// computes with it.
import * as tf from '@tensorflow/tfjs-core';
import { linear } from '../nn/ops.ts';
import { gelu, layerNorm, matrixOf, vectorOf } from './layers.ts';
import { blockMlpUnits, type TransformerParams } from './transformer.ts';
import type { ForwardOptions, ForwardResult, Weights } from './types.ts';

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
    if (hidden) hidden[blockMlpUnits(block)] = units;
    h = tf.add(h, dense(`${block}.mlp.fc2`, units));
  }
  const logits = dense('output', norm('ln_f', h));
  return tf.reshape(logits, [n, t, p.vocab]);
}

export function forward(p: TransformerParams, weights: Weights, tokens: tf.Tensor, opts: ForwardOptions): ForwardResult {
  const hidden = opts.hidden ? {} : undefined;
  return { output: transformerForward(p, weights, tokens, hidden), ...(hidden && { hidden }) };
}
