// loss(X, on:): the mean loss of weights on a split (cross-entropy, or MSE for regression), with the
// share of prunable weights kept, so that the report can draw it against sparsity (the ticket curve).
import { lazyImplementation } from '../../core/op.ts';
import { arg } from '../signature.ts';
import { defineProbe, evaluationData, WEIGHTS } from './define.ts';

export const lossModule = defineProbe({
  name: 'loss',
  summary: 'Mean loss (cross-entropy, or MSE for regression). Metrics: loss, remaining (share of prunable weights kept).',
  // Version 2: rows also carry `remaining`, the share of prunable weights the mask keeps.
  version: 2,
  positional: ['x', 'on'],
  parameters: { x: arg.ref(WEIGHTS, 'weights to evaluate'), on: evaluationData },
  required: ['x', 'on'],
  lowering: { subjects: { x: 'weights' } },
  implementation: lazyImplementation(() => import('./evaluation-stage.ts').then((m) => m.evaluationStage('loss', m.lossProbe))),
  reporting: {
    metrics: ['loss', 'remaining'],
    figures: [
      { kind: 'ticket-curve', metric: 'loss', measure: 'Mean loss' },
      // Over levels the ticket curve shows it already, against sparsity.
      { kind: 'trajectory', metrics: ['loss'], over: ['step'], caption: 'Loss of each checkpoint.' },
    ],
  },
});
