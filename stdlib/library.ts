// The standard library as one Library: every function a program can call, with how it lowers. The CLI
// and the worker entry pass it to the compiler and the runtime.
import { createLibrary, type Library } from '../core/library.ts';
import type { Lowering, OpModule, Signature } from '../core/op.ts';
import { datasetSizes } from './datasets/index.ts';
import { modelLayout } from './models/layout.ts';
import { datasetSignatures } from './signatures/datasets.ts';
import { initSignatures } from './signatures/inits.ts';
import { modelSignatures } from './signatures/models.ts';
import { optimizerSignatures } from './signatures/optimizers.ts';
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

function loweringOf(signature: Signature): Lowering {
  switch (signature.category) {
    case 'dataset': return { rule: 'dataset', sizes: (params) => datasetSizes(signature.name, params as Record<string, never>) };
    case 'model': return { rule: 'model', shape: (params) => modelLayout(signature.name, params as Record<string, unknown>) };
    case 'init': return { rule: 'init' };
    case 'optimizer': return { rule: 'optimizer' };
    case 'schedule': return { rule: 'schedule' };
    case 'probe': return required(PROBE_LOWERING, signature.name);
    case 'training': case 'pruning': case 'lottery': return required(TRAINING_LOWERING, signature.name);
  }
}

function required(table: Record<string, Lowering>, name: string): Lowering {
  const lowering = table[name];
  if (!lowering) throw new Error(`the standard library has no lowering for '${name}'`);
  return lowering;
}

function moduleOf(signature: Signature): OpModule {
  const stageOp = signature.category === 'init' ? 'init' : signature.name === 'fit' ? 'train' : undefined;
  return { ...signature, lowering: loweringOf(signature), ...(stageOp ? { stageOp } : {}) };
}

export const standardModules: readonly OpModule[] = [
  ...datasetSignatures, ...modelSignatures, ...initSignatures, ...optimizerSignatures, ...trainingSignatures, ...probeSignatures,
].map(moduleOf);

export const standardLibrary: Library = createLibrary(standardModules);
