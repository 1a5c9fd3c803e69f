// Adam and AdamW as PyTorch's torch.optim.Adam / AdamW (amsgrad off):
//   adam:  g ← ∇ + weight_decay·w            adamw: w ← w·(1 − lr·weight_decay), g ← ∇
//   m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
//   w ← w − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
import * as tf from '@tensorflow/tfjs-core';
import type { AdamConfig } from './config.ts';
import type { ParameterUpdate, TensorOptimizer } from './types.ts';

export function adam(config: AdamConfig): TensorOptimizer {
  const { beta1, beta2, eps, weightDecay } = config;
  const decoupled = config.op === 'adamw';
  return {
    op: config.op,
    slotNames: ['m', 'v'],
    apply(param, grad, slots, lr, update): ParameterUpdate {
      const m0 = slots['m'];
      const v0 = slots['v'];
      if (!m0 || !v0) throw new Error(`${config.op}: the m and v slots are missing`);
      let w = param;
      let g = grad;
      if (weightDecay > 0) {
        if (decoupled) w = tf.mul(param, 1 - lr * weightDecay);
        else g = tf.add(grad, tf.mul(param, weightDecay));
      }
      const m = tf.add(tf.mul(m0, beta1), tf.mul(g, 1 - beta1));
      const v = tf.add(tf.mul(v0, beta2), tf.mul(tf.square(g), 1 - beta2));
      const stepSize = lr / (1 - beta1 ** update);
      const denominator = tf.add(tf.div(tf.sqrt(v), Math.sqrt(1 - beta2 ** update)), eps);
      return { param: tf.sub(w, tf.mul(tf.div(m, denominator), stepSize)), slots: { m, v } };
    },
  };
}
