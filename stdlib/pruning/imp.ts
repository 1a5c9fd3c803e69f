// imp(RUN, rounds:, rate:, rewind:): iterative magnitude pruning with rewinding (Frankle & Carbin 2019;
// Frankle et al. 2020) as sugar: the compiler's lottery rule makes the same stages as the long form
// (magnitude, rewind and fit per level), so imp has no implementation of its own.
import type { OpModule } from '../../core/op.ts';
import { arg, LIMITS, signatureOf } from '../signature.ts';
import { PRUNING_OPTIONS, REMOVAL_RATE } from './params.ts';

export const impModule: OpModule = {
  ...signatureOf({
    name: 'imp',
    summary: 'Iterative magnitude pruning with rewinding: level 0 is RUN; level l prunes level l-1 by rate and retrains from RUN @ rewind under the new mask with RUN\'s recipe. Same stages as the long form.',
    version: 1,
    positional: ['run'],
    parameters: {
      run: arg.ref(['run'], 'the dense run (level 0)'),
      rounds: arg.count('number of pruning levels', LIMITS.repeats),
      rate: REMOVAL_RATE,
      rewind: arg.quantity('the step of RUN the levels rewind to', 0),
      ...PRUNING_OPTIONS,
    },
    required: ['run', 'rounds', 'rate'],
  }, 'lottery', 'lottery'),
  lowering: { rule: 'lottery', levels: 'rounds', rate: 'rate' },
};
