// The update of sgd (its formula is in sgd.ts) as one elementwise formula: loaded when a training
// stage first needs it.
import { add, input, mul, scalar, sub, type Expr } from '../nn/formula.ts';
import { formulaOptimizer } from './formula-optimizer.ts';
import type { SgdConfig } from './sgd.ts';
import type { TensorOptimizer } from './types.ts';

export function sgdOptimizer(config: SgdConfig): TensorOptimizer {
  const { momentum, nesterov, weightDecay } = config;
  const param = input('param');
  const g = weightDecay > 0 ? add(input('grad'), mul(param, scalar('weightDecay'))) : input('grad');
  const lr = scalar('lr');
  const scalars = (rate: number) => ({ lr: rate, momentum, weightDecay });
  if (momentum === 0) {
    return formulaOptimizer({ op: 'sgd', slotNames: [], outputs: { param: sub(param, mul(g, lr)) }, scalars });
  }
  const buffer = add(mul(input('momentum'), scalar('momentum')), g);
  const direction: Expr = nesterov ? add(g, mul(buffer, scalar('momentum'))) : buffer;
  return formulaOptimizer({ op: 'sgd', slotNames: ['momentum'], outputs: { param: sub(param, mul(direction, lr)), momentum: buffer }, scalars });
}
