// oneshot(RUN, sparsity:, rewind:): one-shot magnitude pruning as sugar: a lottery of one pruned level,
// made of the same stages as the long form (the compiler's lottery rule), so no implementation of its own.
import type { OpModule } from '../../core/op.ts';
import { arg, signatureOf } from '../signature.ts';
import { PRUNING_OPTIONS } from './params.ts';

export const oneshotModule: OpModule = {
  ...signatureOf({
    name: 'oneshot',
    summary: 'One-shot magnitude pruning to `sparsity`, then retraining from RUN @ rewind: a lottery of levels 0 (RUN) and 1.',
    version: 1,
    positional: ['run'],
    parameters: {
      run: arg.ref(['run'], 'the dense run (level 0)'),
      sparsity: arg.fraction('share of the prunable weights removed', { exclusiveMaximum: 1 }),
      rewind: arg.quantity('the step of RUN to rewind to', 0),
      ...PRUNING_OPTIONS,
    },
    required: ['run', 'sparsity'],
  }, 'lottery', 'lottery'),
  lowering: { rule: 'lottery', levels: 1, rate: 'sparsity' },
};
