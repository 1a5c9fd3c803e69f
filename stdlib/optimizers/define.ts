// Optimizer and schedule modules from what their files know. Every optimizer also takes the minibatch
// size and the learning-rate schedule (warmup, decay), which the trainer reads the same way for all.
import { arg, type JsonSchema, LIMITS, signatureOf, type SignatureSpec } from '../signature.ts';
import type { DecayConfig, OptimizerConfig, OptimizerModule, ScheduleModule } from './types.ts';

const SHARED_PARAMETERS: Record<string, JsonSchema> = {
  batch: arg.count('minibatch size', LIMITS.examples, { default: 128 }),
  warmup: arg.quantity('linear learning-rate warmup from 0', 0),
  decay: arg.ref(['schedule'], 'learning-rate decay: step(at: [...], factor: ...) or cosine'),
};

export interface OptimizerSpec<Config extends OptimizerConfig> extends Omit<SignatureSpec, 'positional' | 'required'> {
  optimizer: OptimizerModule<Config>['optimizer'];
}

export function defineOptimizer<Config extends OptimizerConfig>(spec: OptimizerSpec<Config>): OptimizerModule<Config> {
  const parameters = { ...spec.parameters, ...SHARED_PARAMETERS };
  return {
    ...signatureOf({ ...spec, positional: ['lr'], parameters }, 'optimizer', 'optimizer'),
    lowering: { rule: 'optimizer' },
    optimizer: spec.optimizer,
  };
}

export interface ScheduleSpec<Decay extends DecayConfig> extends SignatureSpec {
  schedule: ScheduleModule<Decay>['schedule'];
}

export function defineSchedule<Decay extends DecayConfig>(spec: ScheduleSpec<Decay>): ScheduleModule<Decay> {
  return { ...signatureOf(spec, 'schedule', 'schedule'), lowering: { rule: 'schedule' }, schedule: spec.schedule };
}
