// linearization: the op module (signature, subjects, figures). What its stages compute, and how,
// is in linearization-stage.ts, loaded when such a stage first runs.
import { lazyImplementation } from '../../core/op.ts';
import { arg, LIMITS } from '../signature.ts';
import { defineProbe, evaluationData, WEIGHTS } from './define.ts';

export const linearizationModule = defineProbe({
  name: 'linearization',
  summary: 'Distance of a trained net from its tangent model at INIT, f(θ0) + J(θ0)(θ − θ0). Metrics: rmse, agreement.',
  version: 1,
  positional: ['init', 'x'],
  parameters: {
    init: arg.ref(['init', 'checkpoint', 'run', 'family', 'lottery'], 'the linearization point θ0'),
    x: arg.ref(WEIGHTS, 'the trained weights'),
    on: evaluationData,
    samples: arg.count('number of evaluation inputs', LIMITS.examples, { default: 512 }),
  },
  required: ['init', 'x', 'on'],
  lowering: { subjects: { init: 'weights', x: 'weights' } },
  implementation: lazyImplementation(() => import('./linearization-stage.ts').then((m) => m.linearizationStage)),
  reporting: {
    metrics: ['rmse', 'agreement', 'rmse_relative', 'accuracy_net', 'accuracy_linear', 'displacement', 'samples', 'fd_step'],
    figures: [{
      kind: 'trajectory',
      metrics: ['rmse', 'agreement'],
      caption: 'Distance of the trained net from its tangent model at the linearization point: output RMSE and the share of inputs on which both predict the same class. An agreement near 1 means the net still behaves like its linearization.',
    }],
  },
});
