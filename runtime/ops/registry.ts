// The runtime's entry to stage computations: the implementation of each stage op, by the op's name.
// The scheduler calls implementationFor(stage)(stage, inputs, ctx) and stores what it returns; an
// implementation never sees the store, the DAG or other stages.
//
// Progress: training calls ctx.progress about every 10 steps (or 0.5 s) with the steps done in the
// segment (step, out of total = to − from) and the mean loss since the previous call.
import type { Stage } from '../../core/stage.ts';
import type { Artifact } from '../../core/artifacts.ts';
import { StageFailure, type ExecContext } from './context.ts';
import { instabilityStage, maskDistanceStage, maskOverlapStage, weightDistanceStage } from './comparison-probes.ts';
import { initStage, reinitStage } from './init.ts';
import { accuracyStage, lossStage, sparsityStage } from './probes.ts';
import { magnitudeStage, randomMaskStage, rewindStage } from './pruning.ts';
import { kernelDistanceStage, linearizationStage, llcStage } from './tangent-probes.ts';
import { trainStage } from './train.ts';

export { abortError, isAbortError, StageFailure, throwIfAborted } from './context.ts';
export type { ExecContext, StageProgress } from './context.ts';

export type StageImplementation = (stage: Stage, inputs: Record<string, Artifact>, ctx: ExecContext) => Promise<Artifact>;

const implementations = new Map<string, StageImplementation>([
  ['init', initStage],
  ['train', trainStage],
  ['magnitude', magnitudeStage],
  ['random_mask', randomMaskStage],
  ['rewind', rewindStage],
  ['reinit', reinitStage],
  ['accuracy', accuracyStage],
  ['loss', lossStage],
  ['sparsity', sparsityStage],
  ['mask_overlap', maskOverlapStage],
  ['mask_distance', maskDistanceStage],
  ['weight_distance', weightDistanceStage],
  ['instability', instabilityStage],
  ['linearization', linearizationStage],
  ['kernel_distance', kernelDistanceStage],
  ['llc', llcStage],
]);

/** The implementation of `stage.op`; a StageFailure for an op this runtime cannot compute. */
export function implementationFor(stage: Stage): StageImplementation {
  const implementation = implementations.get(stage.op);
  if (!implementation) {
    throw new StageFailure(`this version of ltx has no implementation of '${stage.op}' (it implements ${[...implementations.keys()].join(', ')})`);
  }
  return implementation;
}

/** Adds (or replaces) the implementation of an op, for ops implemented in other modules (more probes). */
export function registerImplementation(op: string, implementation: StageImplementation): void {
  implementations.set(op, implementation);
}

export function implementedOps(): string[] {
  return [...implementations.keys()];
}
