// kernel_distance: the op module (signature, subjects, figures). What its stages compute, and how,
// is in kernel-distance-stage.ts, loaded when such a stage first runs.
import { lazyImplementation } from '../../core/op.ts';
import { arg, LIMITS } from '../signature.ts';
import { defineProbe, evaluationData, WEIGHTS } from './define.ts';

export const kernelDistanceModule = defineProbe({
  name: 'kernel_distance',
  summary: 'Empirical NTK distance 1 − ⟨K1,K2⟩/(‖K1‖‖K2‖) on `samples` inputs (Fort et al. 2020). Metric: distance.',
  version: 1,
  positional: ['a', 'b'],
  parameters: {
    a: arg.ref(WEIGHTS, 'first weights'), b: arg.ref(WEIGHTS, 'second weights'), on: evaluationData,
    samples: arg.count('number of probe inputs', LIMITS.repeats, { minimum: 2, default: 64 }),
    seed: arg.seed('seed of the choice of probe inputs'),
  },
  required: ['a', 'b', 'on'],
  lowering: { subjects: { a: 'weights', b: 'weights' } },
  implementation: lazyImplementation(() => import('./kernel-distance-stage.ts').then((m) => m.kernelDistanceStage)),
  reporting: {
    metrics: ['distance', 'kernel_norm_a', 'kernel_norm_b', 'alignment_a', 'alignment_b', 'samples'],
    figures: [{
      kind: 'trajectory',
      metrics: ['distance'],
      caption: 'Empirical NTK distance 1 − ⟨K1, K2⟩ / (‖K1‖‖K2‖) between the kernels at the two weights (Fort et al. 2020): how far the tangent kernel has moved; it rises fast early and then settles when training leaves the lazy regime.',
    }],
  },
});
