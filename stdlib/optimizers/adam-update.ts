// The update of adam and adamw (their formulas are in adam.ts), on tensors: loaded when a training
// stage first needs it.
import * as tf from '@tensorflow/tfjs-core';
import type { AdamConfig } from './adam.ts';
import type { ParameterUpdate, TensorOptimizer } from './types.ts';

export function adamOptimizer(config: AdamConfig): TensorOptimizer {
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
