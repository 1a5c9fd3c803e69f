// accuracy(X, on:): top-1 accuracy of weights on a split, with the loss and the share of prunable
// weights kept, so that the report can draw it against sparsity (the ticket curve).
import { lazyImplementation } from '../../core/op.ts';
import { arg } from '../signature.ts';
import { defineProbe, evaluationData, WEIGHTS } from './define.ts';

export const accuracyModule = defineProbe({
  name: 'accuracy',
  summary: 'Top-1 accuracy (per token for language models). Metrics: accuracy, loss, remaining (share of prunable weights kept).',
  // Version 2: rows also carry `remaining`, the share of prunable weights the mask keeps.
  version: 2,
  positional: ['x', 'on'],
  parameters: { x: arg.ref(WEIGHTS, 'weights to evaluate'), on: evaluationData },
  required: ['x', 'on'],
  lowering: { subjects: { x: 'weights' } },
  implementation: lazyImplementation(() => import('./evaluation-stage.ts').then((m) => m.evaluationStage('accuracy', m.accuracyProbe))),
  reporting: {
    metrics: ['accuracy', 'loss', 'remaining'],
    figures: [
      { kind: 'ticket-curve', metric: 'accuracy', measure: 'Top-1 accuracy' },
      // Over levels the ticket curve shows it already, against sparsity.
      { kind: 'trajectory', metrics: ['accuracy'], over: ['step'], caption: 'Accuracy of each checkpoint.' },
    ],
  },
});
