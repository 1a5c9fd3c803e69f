// The standard library as one Library: every function a program can call, from the list of each
// concept. Each op's module holds its signature, how it lowers and, for the ops that make stages, their
// implementation. The CLI passes it to the compiler, and the worker threads load it through stage-library.ts.
import { createLibrary, type Library } from '../core/library.ts';
import type { OpModule } from '../core/op.ts';
import { datasetModules } from './datasets/index.ts';
import { initModules } from './inits/index.ts';
import { modelModules } from './models/index.ts';
import { optimizerModules, scheduleModules } from './optimizers/index.ts';
import { probeModules } from './probes/index.ts';
import { pruningModules } from './pruning/index.ts';
import { trainingModules } from './training/index.ts';

export const standardModules: readonly OpModule[] = [
  ...datasetModules,
  ...modelModules,
  ...initModules,
  ...optimizerModules,
  ...scheduleModules,
  ...trainingModules,
  ...pruningModules,
  ...probeModules,
];

export const standardLibrary: Library = createLibrary(standardModules);
