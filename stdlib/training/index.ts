// The training ops of the standard library, one line each.
import type { OpModule } from '../../core/op.ts';
import { fitModule } from './fit.ts';

export const trainingModules: readonly OpModule[] = [
  fitModule,
];
