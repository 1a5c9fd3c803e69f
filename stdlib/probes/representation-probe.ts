// What the representation probes (cka, unit_roles) share: their parameters, and a stage that collects
// both networks' hidden units on the same probe inputs (representations.ts, loaded when a stage runs,
// since it needs the tensor backend) and hands them to the probe's comparison.
import type { ProbeResult } from '../../core/artifacts.ts';
import type { ProbeReporting } from '../../core/op.ts';
import { arg, LIMITS } from '../signature.ts';
import { failing } from '../stage-support/failure.ts';
import { defineProbe, evaluationData, WEIGHTS, type ProbeModule } from './define.ts';
import type { RepresentationPair } from './representations.ts';

export interface RepresentationProbeSpec {
  name: string;
  summary: string;
  version: number;
  /** The comparison of the two networks' hidden layers. */
  compare(pair: RepresentationPair): ProbeResult;
  reporting: ProbeReporting;
}

export function defineRepresentationProbe(spec: RepresentationProbeSpec): ProbeModule {
  return defineProbe({
    name: spec.name,
    summary: spec.summary,
    version: spec.version,
    positional: ['a', 'b'],
    parameters: {
      a: arg.ref(WEIGHTS, 'first weights'),
      b: arg.ref(WEIGHTS, 'second weights'),
      on: evaluationData,
      layer: {
        type: 'array', items: { type: 'string' }, maxItems: LIMITS.layers, default: [],
        description: 'hidden layers compared (mlp: layer1, layer2, …; transformer: block1.mlp, …); none means all',
      },
      samples: arg.count('number of probe inputs', LIMITS.examples, { minimum: 2, default: 256 }),
      seed: arg.seed('seed of the choice of probe inputs'),
    },
    required: ['a', 'b', 'on'],
    lowering: { subjects: { a: 'weights', b: 'weights' }, hiddenLayers: 'layer' },
    implementation: async (stage, inputs, ctx) => {
      const { representationPair } = await import('./representations.ts');
      const pair = await representationPair(spec.name, stage, inputs, ctx);
      return failing(spec.name, () => spec.compare(pair));
    },
    reporting: spec.reporting,
  });
}
