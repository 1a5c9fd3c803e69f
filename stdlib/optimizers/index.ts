// The optimizers of the standard library: sgd, adam, adamw, and their learning-rate schedules.
import { adam } from './adam.ts';
import type { OptimizerConfig } from './config.ts';
import { sgd } from './sgd.ts';
import type { TensorOptimizer } from './types.ts';

export { OPTIMIZER_OPS, readBatchSize, readOptimizerConfig } from './config.ts';
export type { AdamConfig, CosineDecay, Decay, OptimizerConfig, ScheduleConfig, SgdConfig, StepDecay } from './config.ts';
export { learningRateAt } from './schedule.ts';
export type { ParameterUpdate, TensorOptimizer } from './types.ts';

export function createOptimizer(config: OptimizerConfig): TensorOptimizer {
  return config.op === 'sgd' ? sgd(config) : adam(config);
}
