// The optimizers and learning-rate schedules of the standard library, one line each, and what the
// trainer needs of them: an optimizer's settings from its descriptor, its update, and the learning rate
// at each step.
import { findModule } from '../signature.ts';
import { adam, adamw } from './adam.ts';
import { cosine } from './cosine-decay.ts';
import { isDescriptor, numberOf, positive, wholeSteps } from './params.ts';
import { sgd } from './sgd.ts';
import { step } from './step-decay.ts';
import type { DecayConfig, OptimizerConfig, OptimizerModule, ScheduleConfig, ScheduleModule, TensorOptimizer } from './types.ts';

export type { AdamConfig } from './adam.ts';
export type { CosineDecay } from './cosine-decay.ts';
export type { SgdConfig } from './sgd.ts';
export type { StepDecay } from './step-decay.ts';
export type { DecayConfig, OptimizerConfig, OptimizerModule, ParameterUpdate, ScheduleConfig, ScheduleModule, TensorOptimizer } from './types.ts';

export const optimizerModules: readonly OptimizerModule[] = [
  sgd,
  adam,
  adamw,
];

export const scheduleModules: readonly ScheduleModule[] = [
  step,
  cosine,
];

function moduleNamed<M extends { name: string }>(modules: readonly M[], op: unknown, what: string, where = ''): M {
  return findModule(modules, op, (known) => new Error(`${where}unknown ${what} ${JSON.stringify(op)} (known: ${known})`));
}

/** Typed config of an optimizer descriptor; throws an Error naming the bad field. */
export function readOptimizerConfig(raw: unknown): OptimizerConfig {
  if (!isDescriptor(raw)) throw new Error(`the optimizer must be an object, got ${JSON.stringify(raw)}`);
  const module = moduleNamed(optimizerModules, raw.op, 'optimizer');
  const where = `optimizer ${module.name}`;
  const schedule: ScheduleConfig = { lr: numberOf(raw, 'lr', where, positive), warmup: numberOf(raw, 'warmup', where, wholeSteps) };
  const decay = readDecay(raw.decay, where);
  if (decay) schedule.decay = decay;
  return module.optimizer.read(raw, schedule, where);
}

function readDecay(raw: unknown, where: string): DecayConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isDescriptor(raw)) throw new Error(`${where}: 'decay' must be step(...) or cosine, got ${JSON.stringify(raw)}`);
  return moduleNamed(scheduleModules, raw.op, 'learning-rate decay', `${where}: `).schedule.read(raw, where);
}

/** The minibatch size of an optimizer descriptor. */
export function readBatchSize(raw: unknown): number {
  if (!isDescriptor(raw)) throw new Error('the optimizer must be an object');
  return numberOf(raw, 'batch', `optimizer ${String(raw.op)}`, (v) => Number.isInteger(v) && v >= 1);
}

export async function createOptimizer(config: OptimizerConfig): Promise<TensorOptimizer> {
  const update = await moduleNamed(optimizerModules, config.op, 'optimizer').optimizer.load();
  return update.create(config);
}

/**
 * The learning rate of step `step` (0-based: the update that takes the weights from step to step + 1) of
 * a recipe `totalSteps` long: lr · min(1, (step + 1) / warmup) during a warmup, times its decay's factor.
 * A pure function of the step, so a run resumed at any step continues the schedule exactly where the
 * unsplit run would be.
 */
export function learningRateAt(config: ScheduleConfig, step: number, totalSteps: number): number {
  const warmup = config.warmup > 0 ? Math.min(1, (step + 1) / config.warmup) : 1;
  return config.lr * warmup * decayFactor(config, step, totalSteps);
}

function decayFactor({ decay, warmup }: ScheduleConfig, step: number, totalSteps: number): number {
  if (!decay) return 1;
  return moduleNamed(scheduleModules, decay.op, 'learning-rate decay').schedule.factor(decay, step, totalSteps, warmup);
}
