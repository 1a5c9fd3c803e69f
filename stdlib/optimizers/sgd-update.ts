// The update of sgd (its formula is in sgd.ts), on tensors: loaded when a training stage first needs it.
import * as tf from '@tensorflow/tfjs-core';
import type { SgdConfig } from './sgd.ts';
import type { ParameterUpdate, TensorOptimizer } from './types.ts';

export function sgdOptimizer(config: SgdConfig): TensorOptimizer {
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
