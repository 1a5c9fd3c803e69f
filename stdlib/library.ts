// The standard library as one Library: every function a program can call, from the list of each
// concept, with how it lowers and, for the ops that make stages, their implementation. The CLI passes it
// to the compiler, and the worker threads load it through stage-library.ts.
import { createLibrary, type Library } from '../core/library.ts';
import type { Lowering, OpModule, Signature, StageImplementation } from '../core/op.ts';
import { datasetModules } from './datasets/index.ts';
import { initModules } from './inits/index.ts';
import { modelModules } from './models/index.ts';
import { optimizerModules, scheduleModules } from './optimizers/index.ts';
import { probeSignatures } from './signatures/probes.ts';
import { trainingSignatures } from './signatures/training.ts';

/** The structural ops and how each lowers. */
const TRAINING_LOWERING: Record<string, Lowering> = {
  fit: { rule: 'run' },
  magnitude: { rule: 'magnitude-mask' },
  random_mask: { rule: 'random-mask' },
  rewind: { rule: 'rewind' },
  reinit: { rule: 'reinit' },
  imp: { rule: 'lottery', levels: 'rounds', rate: 'rate' },
  oneshot: { rule: 'lottery', levels: 1, rate: 'sparsity' },
};

/** Which arguments of each probe are its subjects, and how they pair. */
const PROBE_LOWERING: Record<string, Lowering> = {
  accuracy: { rule: 'probe', subjects: { x: 'weights' } },
  loss: { rule: 'probe', subjects: { x: 'weights' } },
  llc: { rule: 'probe', subjects: { x: 'weights' }, split: 'train' },
  sparsity: { rule: 'probe', subjects: { x: 'weights-or-mask' } },
  weight_distance: { rule: 'probe', subjects: { a: 'weights', b: 'weights' } },
  kernel_distance: { rule: 'probe', subjects: { a: 'weights', b: 'weights' } },
  linearization: { rule: 'probe', subjects: { init: 'weights', x: 'weights' } },
  mask_overlap: { rule: 'probe', subjects: { a: 'mask', b: 'mask' } },
  mask_distance: { rule: 'probe', subjects: { x: 'weights' }, pairing: 'consecutive' },
  instability: { rule: 'probe', subjects: { x: 'weights', mask: 'mask' }, pairing: 'copies' },
};

/**
 * An implementation whose module is loaded when a stage first needs it. Compiling a program needs no
 * implementation, and theirs bring TensorFlow.js (a few hundred milliseconds to load): `ltx check`,
 * `plan` and `fmt` should not wait for it.
 */
function loadedOnFirstUse(load: () => Promise<StageImplementation>): StageImplementation {
  let loading: Promise<StageImplementation> | undefined;
  return async (stage, inputs, ctx) => (await (loading ??= load()))(stage, inputs, ctx);
}

const initStage = loadedOnFirstUse(async () => (await import('./inits/stage.ts')).initStage);

/** The stage implementation of each op that makes stages of its own (every init scheme's is `init`). */
const IMPLEMENTATIONS: { [op: string]: StageImplementation | undefined } = {
  fit: loadedOnFirstUse(async () => (await import('./training/train-stage.ts')).trainStage),
  magnitude: loadedOnFirstUse(async () => (await import('./pruning/magnitude.ts')).magnitudeStage),
  random_mask: loadedOnFirstUse(async () => (await import('./pruning/random-mask.ts')).randomMaskStage),
  rewind: loadedOnFirstUse(async () => (await import('./pruning/rewind.ts')).rewindStage),
  reinit: loadedOnFirstUse(async () => (await import('./inits/stage.ts')).reinitStage),
  accuracy: loadedOnFirstUse(async () => (await import('./probes/basic.ts')).accuracyStage),
  loss: loadedOnFirstUse(async () => (await import('./probes/basic.ts')).lossStage),
  sparsity: loadedOnFirstUse(async () => (await import('./probes/basic.ts')).sparsityStage),
  weight_distance: loadedOnFirstUse(async () => (await import('./probes/weight-distance.ts')).weightDistanceStage),
  kernel_distance: loadedOnFirstUse(async () => (await import('./probes/kernel-distance.ts')).kernelDistanceStage),
  linearization: loadedOnFirstUse(async () => (await import('./probes/linearization.ts')).linearizationStage),
  llc: loadedOnFirstUse(async () => (await import('./probes/llc.ts')).llcStage),
  mask_overlap: loadedOnFirstUse(async () => (await import('./probes/mask-overlap.ts')).maskOverlapStage),
  mask_distance: loadedOnFirstUse(async () => (await import('./probes/mask-distance.ts')).maskDistanceStage),
  instability: loadedOnFirstUse(async () => (await import('./probes/instability.ts')).instabilityStage),
};

function withLowering(table: Record<string, Lowering>, signature: Signature): OpModule {
  const lowering = table[signature.name];
  if (!lowering) throw new Error(`the standard library has no lowering for '${signature.name}'`);
  const implementation: StageImplementation | undefined = IMPLEMENTATIONS[signature.name];
  return { ...signature, lowering, ...(signature.name === 'fit' ? { stageOp: 'train' } : {}), ...(implementation ? { implementation } : {}) };
}

export const standardModules: readonly OpModule[] = [
  ...datasetModules,
  ...modelModules,
  ...initModules.map((m): OpModule => ({ ...m, implementation: initStage })),
  ...optimizerModules,
  ...scheduleModules,
  ...trainingSignatures.map((s) => withLowering(TRAINING_LOWERING, s)),
  ...probeSignatures.map((s) => withLowering(PROBE_LOWERING, s)),
];

export const standardLibrary: Library = createLibrary(standardModules);
