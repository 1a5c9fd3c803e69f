// The update of adam and adamw (their formulas are in adam.ts) as one elementwise formula, in the
// order of operations the checkpoints' bits come from: loaded when a training stage first needs it.
import { add, div, input, mul, scalar, sqrt, sub } from '../nn/formula.ts';
import type { AdamConfig } from './adam.ts';
import { formulaOptimizer } from './formula-optimizer.ts';
import type { TensorOptimizer } from './types.ts';

export function adamOptimizer(config: AdamConfig): TensorOptimizer {
  const { beta1, beta2, eps, weightDecay } = config;
  const decoupled = config.op === 'adamw';
  const param = input('param');
  let w = param;
  let g = input('grad');
  if (weightDecay > 0) {
    if (decoupled) w = mul(param, scalar('decay'));
    else g = add(g, mul(param, scalar('weightDecay')));
  }
  const m = add(mul(input('m'), scalar('beta1')), mul(g, scalar('oneMinusBeta1')));
  const v = add(mul(input('v'), scalar('beta2')), mul(mul(g, g), scalar('oneMinusBeta2')));
  const denominator = add(div(sqrt(v), scalar('correction2')), scalar('eps'));
  return formulaOptimizer({
    op: config.op,
    slotNames: ['m', 'v'],
    outputs: { param: sub(w, mul(div(m, denominator), scalar('stepSize'))), m, v },
    scalars: (lr, update) => ({
      beta1,
      oneMinusBeta1: 1 - beta1,
      beta2,
      oneMinusBeta2: 1 - beta2,
      correction2: Math.sqrt(1 - beta2 ** update),
      eps,
      stepSize: lr / (1 - beta1 ** update),
      decay: 1 - lr * weightDecay,
      weightDecay,
    }),
  });
}
