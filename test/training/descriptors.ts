// Optimizer descriptors as a train stage carries them, for tests that read them without compiling a
// program: the op's schema defaults filled in, and the warmup in steps (the compiler resolves it).
import { withDefaults } from '../../core/defaults.ts';
import type { Json } from '../../core/json.ts';
import { optimizerModules } from '../../stdlib/optimizers/index.ts';

export function optimizerDescriptor(op: string, params: { [key: string]: Json }): { [key: string]: Json } {
  const module = optimizerModules.find((m) => m.name === op);
  if (!module) throw new Error(`no optimizer '${op}'`);
  return { op, version: module.version, ...withDefaults(module, { warmup: 0, ...params }) };
}

/** One setting of each optimizer and of each of its update's branches (momentum, nesterov, L2, decoupled decay). */
export const optimizerSettings: Record<string, { [key: string]: Json }> = {
  'sgd': { op: 'sgd', lr: 0.1 },
  'sgd, nesterov momentum and L2': { op: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true, weight_decay: 5e-4 },
  'adam': { op: 'adam', lr: 1e-3 },
  'adam with L2': { op: 'adam', lr: 1e-3, weight_decay: 0.01 },
  'adamw': { op: 'adamw', lr: 2e-3, beta2: 0.98, weight_decay: 1 },
};
