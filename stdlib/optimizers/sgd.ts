// SGD as PyTorch's torch.optim.SGD (dampening 0):
//   g ← ∇ + weight_decay·w;  buf ← momentum·buf + g;  d ← nesterov ? g + momentum·buf : buf;  w ← w − lr·d
// PyTorch starts buf at the first gradient; starting at zeros gives the same numbers (momentum·0 + g = g).
import { arg } from '../signature.ts';
import { defineOptimizer } from './define.ts';
import { belowOne, booleanOf, nonNegative, numberOf } from './params.ts';
import type { OptimizerConfig } from './types.ts';

export interface SgdConfig extends OptimizerConfig {
  op: 'sgd';
  momentum: number;
  nesterov: boolean;
  /** L2: weight_decay·w is added to the gradient (PyTorch's SGD). */
  weightDecay: number;
}

export const sgd = defineOptimizer<SgdConfig>({
  name: 'sgd',
  summary: 'Stochastic gradient descent with optional (Nesterov) momentum and L2 weight decay.',
  version: 1,
  parameters: {
    lr: arg.number('learning rate', { exclusiveMinimum: 0, default: 0.1 }),
    momentum: arg.number('momentum', { minimum: 0, maximum: 1, exclusiveMaximum: 1, default: 0 }),
    weight_decay: arg.number('L2 weight decay added to the gradient', { minimum: 0, default: 0 }),
    nesterov: arg.bool('Nesterov momentum', false),
  },
  optimizer: {
    read: (raw, schedule, where) => ({
      op: 'sgd',
      ...schedule,
      momentum: numberOf(raw, 'momentum', where, belowOne),
      nesterov: booleanOf(raw, 'nesterov', where),
      weightDecay: numberOf(raw, 'weight_decay', where, nonNegative),
    }),
    load: () => import('./sgd-update.ts').then((m) => ({ create: m.sgdOptimizer })),
  },
});
