// The standard library as one Library: every function a program can call, from the list of each
// concept. The CLI and the worker entry pass it to the compiler and the runtime.
import { createLibrary, type Library } from '../core/library.ts';
import type { Lowering, OpModule, Signature } from '../core/op.ts';
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

function withLowering(table: Record<string, Lowering>, signature: Signature): OpModule {
  const lowering = table[signature.name];
  if (!lowering) throw new Error(`the standard library has no lowering for '${signature.name}'`);
  return { ...signature, lowering, ...(signature.name === 'fit' ? { stageOp: 'train' } : {}) };
}

export const standardModules: readonly OpModule[] = [
  ...datasetModules,
  ...modelModules,
  ...initModules,
  ...optimizerModules,
  ...scheduleModules,
  ...trainingSignatures.map((s) => withLowering(TRAINING_LOWERING, s)),
  ...probeSignatures.map((s) => withLowering(PROBE_LOWERING, s)),
];

export const standardLibrary: Library = createLibrary(standardModules);
