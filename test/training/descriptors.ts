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
