// The dataset functions of the standard library, one line each, and what the rest of stdlib needs of
// them by the name a program calls them with.
import { findModule } from '../signature.ts';
import { cifar10 } from './cifar10.ts';
import { digits } from './digits.ts';
import { DatasetError } from './errors.ts';
import { gaussianMixture } from './gaussian-mixture.ts';
import { fashionMnist, mnist } from './mnist.ts';
import { modularAddition } from './modular-addition.ts';
import { sparseParity } from './sparse-parity.ts';
import { teacher } from './teacher.ts';
import { text } from './text.ts';
import type { DatasetContext, DatasetModule, DatasetParams, LoadedDataset, SplitSizes } from './types.ts';

export { DatasetError } from './errors.ts';
export type {
  DatasetContext,
  DatasetLoader,
  DatasetModule,
  DatasetParams,
  DatasetTask,
  LoadedDataset,
  Split,
  SplitSizes,
  TeacherForward,
} from './types.ts';

export const datasetModules: readonly DatasetModule[] = [
  digits,
  fashionMnist,
  mnist,
  cifar10,
  gaussianMixture,
  teacher,
  modularAddition,
  sparseParity,
  text,
];

/** The names of all dataset functions. */
export const datasetOps: readonly string[] = datasetModules.map((m) => m.name);

export function datasetModule(op: string): DatasetModule {
  return findModule(datasetModules, op, (known) => new DatasetError(`unknown dataset function \`${op}\`; known: ${known}`));
}

/** Loads (or generates) a dataset from its validated parameters. */
export function loadDataset(op: string, params: DatasetParams, ctx: DatasetContext = {}): Promise<LoadedDataset> {
  return datasetModule(op).dataset.load(params, ctx);
}

/** Train/test sizes known without reading files (for the compiler's epoch→steps); undefined when it needs a file. */
export function datasetSizes(op: string, params: DatasetParams): SplitSizes | undefined {
  return datasetModule(op).lowering.sizes(params);
}

/** Sizes read cheaply from file headers (IDX header, file length) for datasets whose size depends on a file. */
export function probeDatasetSizes(op: string, params: DatasetParams): Promise<SplitSizes> {
  return datasetModule(op).dataset.probeSizes(params);
}
