// Adam and AdamW as PyTorch's torch.optim.Adam / AdamW (amsgrad off); they share everything but the
// meaning and default of weight_decay:
//   adam:  g ← ∇ + weight_decay·w            adamw: w ← w·(1 − lr·weight_decay), g ← ∇
//   m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
//   w ← w − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
import { arg, type JsonSchema } from '../signature.ts';
import { defineOptimizer } from './define.ts';
import { belowOne, nonNegative, numberOf, positive } from './params.ts';
import type { OptimizerConfig, OptimizerModule } from './types.ts';

export interface AdamConfig extends OptimizerConfig {
  /** adam: L2 added to the gradient; adamw: decay decoupled from the gradient (PyTorch's AdamW). */
  op: 'adam' | 'adamw';
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

const positiveNumber = (description: string, def: number) => arg.number(description, { exclusiveMinimum: 0, default: def });

function adamModule(op: AdamConfig['op'], summary: string, weightDecay: JsonSchema): OptimizerModule<AdamConfig> {
  return defineOptimizer<AdamConfig>({
    name: op,
    summary,
    version: 1,
    parameters: {
      lr: positiveNumber('learning rate', 1e-3),
      beta1: arg.number('first-moment decay', { minimum: 0, exclusiveMaximum: 1, default: 0.9 }),
      beta2: arg.number('second-moment decay', { minimum: 0, exclusiveMaximum: 1, default: 0.999 }),
      eps: positiveNumber('denominator epsilon', 1e-8),
      weight_decay: weightDecay,
    },
    optimizer: {
      read: (raw, schedule, where) => ({
        op,
        ...schedule,
        beta1: numberOf(raw, 'beta1', where, belowOne),
        beta2: numberOf(raw, 'beta2', where, belowOne),
        eps: numberOf(raw, 'eps', where, positive),
        weightDecay: numberOf(raw, 'weight_decay', where, nonNegative),
      }),
      load: () => import('./adam-update.ts').then((m) => ({ create: m.adamOptimizer })),
    },
  });
}

export const adam = adamModule(
  'adam',
  'Adam (Kingma & Ba 2015); weight_decay is L2 added to the gradient.',
  arg.number('L2 weight decay added to the gradient', { minimum: 0, default: 0 }),
);

export const adamw = adamModule(
  'adamw',
  'AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay.',
  arg.number('decoupled weight decay', { minimum: 0, default: 0.01 }),
);
