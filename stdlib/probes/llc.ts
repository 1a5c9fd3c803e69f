// llc: the op module (signature, subjects, figures). What its stages compute, and how,
// is in llc-stage.ts, loaded when such a stage first runs.
import { lazyImplementation } from '../../core/op.ts';
import { arg, LIMITS } from '../signature.ts';
import { defineProbe, WEIGHTS } from './define.ts';

export const llcModule = defineProbe({
  name: 'llc',
  summary: 'Local learning coefficient by SGLD localized at the weights (Lau et al.). Metrics: llc_mean, llc_std; loss traces per chain.',
  version: 1,
  positional: ['x'],
  parameters: {
    x: arg.ref(WEIGHTS, 'the weights w*'), on: arg.ref(['split', 'dataset'], 'data of the loss (a dataset means its train split)'),
    epsilon: arg.number('SGLD step size ε', { exclusiveMinimum: 0, default: 1e-3 }),
    gamma: arg.number('localization strength γ', { minimum: 0, default: 100 }),
    nbeta: arg.number('inverse temperature nβ (default B / log B)', { exclusiveMinimum: 0 }),
    chains: arg.count('number of chains', LIMITS.repeats, { default: 4 }),
    draws: arg.count('draws per chain', LIMITS.draws, { default: 200 }),
    burnin: arg.int('burn-in steps per chain', { minimum: 0, maximum: LIMITS.draws, default: 50 }),
    batch: arg.count('minibatch size B', LIMITS.examples, { default: 64 }),
    seed: arg.seed('seed of the chains'),
  },
  required: ['x', 'on'],
  lowering: { subjects: { x: 'weights' }, split: 'train' },
  implementation: lazyImplementation(() => import('./llc-stage.ts').then((m) => m.llcStage)),
  reporting: {
    metrics: ['llc_mean', 'llc_std', 'epsilon', 'gamma', 'nbeta', 'init_loss', 'loss_below_init'],
    figures: [{
      kind: 'chains',
      metric: 'llc',
      title: 'Local learning coefficient',
      axis: 'local learning coefficient λ̂',
      caption:
        'λ̂ = nβ (mean SGLD loss − L(w*)) by SGLD localized at each checkpoint (Lau et al.). A regular model with d ' +
        'parameters has λ = d/2; smaller values mean a more degenerate (simpler) solution.',
      settings: { epsilon: 'ε', gamma: 'γ', nbeta: 'nβ' },
      below: { metric: 'init_loss', axis: 'loss L(w*)', caption: 'the loss L(w*) on the same data at each checkpoint' },
      traces: {
        series: 'loss_trace',
        title: 'SGLD loss traces',
        caption:
          'The minibatch loss of each SGLD chain after burn-in, from which the estimates above are taken. Traces that ' +
          'level off mean the chain equilibrated near w*; traces that keep falling mean w* was not a local minimum (raise γ or lower ε).',
      },
    }],
  },
});
