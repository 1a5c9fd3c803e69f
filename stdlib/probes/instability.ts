// instability: the op module (signature, subjects, figures). What its stages compute, and how,
// is in instability-stage.ts, loaded when such a stage first runs.
import { lazyImplementation } from '../../core/op.ts';
import { arg, LIMITS } from '../signature.ts';
import { defineProbe, evaluationData } from './define.ts';

const MAX_COPIES = 1000;

export const instabilityModule = defineProbe({
  name: 'instability',
  summary: 'Linear mode connectivity (Frankle et al. 2020): copies trained from the checkpoint (⊙ mask) with different data orders to the end of its run; error along the linear path between them. Metrics: barrier, error at each α.',
  version: 1,
  positional: ['x'],
  parameters: {
    x: arg.ref(['init', 'checkpoint', 'run', 'family', 'lottery'], 'the checkpoint the copies start from (a family: one row per member)'),
    mask: arg.ref(['mask', 'run', 'family', 'lottery'], 'mask applied to the checkpoint'),
    copies: arg.count('number of copies', MAX_COPIES, { minimum: 2, default: 2 }),
    points: arg.count('number of α values in [0, 1]', LIMITS.repeats, { minimum: 2, default: 11 }),
    on: evaluationData,
    like: arg.ref(['run'], 'recipe of the copies (default: the run the checkpoint comes from)'),
    seed: arg.seed('seed from which the copies\' data orders are derived'),
  },
  required: ['x', 'on'],
  lowering: { subjects: { x: 'weights', mask: 'mask' }, pairing: 'copies' },
  implementation: lazyImplementation(() => import('./instability-stage.ts').then((m) => m.instabilityStage)),
  reporting: {
    metrics: ['barrier', 'loss_barrier', 'pairs'],
    figures: [{
      kind: 'interpolation-path',
      caption:
        'Linear mode connectivity (Frankle et al. 2020): copies trained from the same checkpoint with different data orders, ' +
        'evaluated at (1−α)W1 + αW2 (α = 0 is copy 1, α = 1 copy 2). A flat path (barrier ≈ 0) means the checkpoint is ' +
        'stable to SGD noise.',
    }],
  },
});
