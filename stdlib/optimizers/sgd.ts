// SGD as PyTorch's torch.optim.SGD (dampening 0):
//   g ← ∇ + weight_decay·w;  buf ← momentum·buf + g;  d ← nesterov ? g + momentum·buf : buf;  w ← w − lr·d
// PyTorch starts buf at the first gradient; starting at zeros gives the same numbers (momentum·0 + g = g).
import * as tf from '@tensorflow/tfjs-core';
import type { SgdConfig } from './config.ts';
import type { ParameterUpdate, TensorOptimizer } from './types.ts';

export function sgd(config: SgdConfig): TensorOptimizer {
  const { momentum, nesterov, weightDecay } = config;
  return {
    op: 'sgd',
    slotNames: momentum > 0 ? ['momentum'] : [],
    apply(param, grad, slots, lr): ParameterUpdate {
      const g = weightDecay > 0 ? tf.add(grad, tf.mul(param, weightDecay)) : grad;
      if (momentum === 0) return { param: tf.sub(param, tf.mul(g, lr)), slots: {} };
      const previous = slots['momentum'];
      if (!previous) throw new Error('sgd: the momentum slot is missing');
      const buffer = tf.add(tf.mul(previous, momentum), g);
      const direction = nesterov ? tf.add(g, tf.mul(buffer, momentum)) : buffer;
      return { param: tf.sub(param, tf.mul(direction, lr)), slots: { momentum: buffer } };
    },
  };
}
