// A probe module from what its file knows: its signature, which arguments are its subjects, its stage
// implementation and what the report draws of it. The rest (category, return type, lowering rule) is the
// same for every probe.
import type { OpModule, ProbeLowering, ProbeReporting, StageImplementation } from '../../core/op.ts';
import { arg, signatureOf, type JsonSchema, type LtxType, type SignatureSpec } from '../signature.ts';

/** What a probe of weights accepts: an init, a checkpoint, a run, or a family of them. */
export const WEIGHTS: LtxType[] = ['init', 'checkpoint', 'run', 'family', 'lottery'];

/** The `on` parameter of the probes that evaluate on data. */
export const evaluationData: JsonSchema = arg.ref(['split', 'dataset'], 'evaluation data (a dataset means its test split)');

export interface ProbeSpec extends SignatureSpec {
  /** Its subjects and how they pair (the `probe` lowering rule). */
  lowering: Omit<ProbeLowering, 'rule'>;
  implementation: StageImplementation;
  reporting: ProbeReporting;
}

export interface ProbeModule extends OpModule {
  lowering: ProbeLowering;
  implementation: StageImplementation;
  reporting: ProbeReporting;
}

export function defineProbe(spec: ProbeSpec): ProbeModule {
  return {
    ...signatureOf(spec, 'probe', 'probe'),
    lowering: { rule: 'probe', ...spec.lowering },
    implementation: spec.implementation,
    reporting: spec.reporting,
  };
}
