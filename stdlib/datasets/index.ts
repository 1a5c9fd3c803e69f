// The dataset functions of the standard library, by the name a program calls them with.
import { cifar10 } from './cifar10.ts';
import { digits } from './digits.ts';
import { DatasetError } from './errors.ts';
import { gaussianMixture } from './gaussian-mixture.ts';
import { fashionMnist, mnist } from './mnist.ts';
import { modularAddition } from './modular-addition.ts';
import { sparseParity } from './sparse-parity.ts';
import { teacher } from './teacher.ts';
import { text } from './text.ts';
import type { DatasetContext, DatasetDefinition, DatasetParams, LoadedDataset, SplitSizes } from './types.ts';

export { DatasetError } from './errors.ts';
export type {
  DatasetContext,
  DatasetDefinition,
  DatasetLoader,
  DatasetParams,
  DatasetTask,
  LoadedDataset,
  Split,
  SplitSizes,
  TeacherForward,
} from './types.ts';

const definitions: ReadonlyMap<string, DatasetDefinition> = new Map(
  [digits, fashionMnist, mnist, cifar10, gaussianMixture, teacher, modularAddition, sparseParity, text].map((d) => [d.op, d]),
);

/** The names of all dataset functions. */
export const datasetOps: readonly string[] = [...definitions.keys()];

export function datasetDefinition(op: string): DatasetDefinition {
  const definition = definitions.get(op);
  if (!definition) throw new DatasetError(`unknown dataset function \`${op}\`; known: ${datasetOps.join(', ')}`);
  return definition;
}

/** Loads (or generates) a dataset from its validated parameters. */
export function loadDataset(op: string, params: DatasetParams, ctx: DatasetContext = {}): Promise<LoadedDataset> {
  return datasetDefinition(op).load(params, ctx);
}

/** Train/test sizes known without reading files (for the compiler's epoch→steps); undefined when it needs a file. */
export function datasetSizes(op: string, params: DatasetParams): SplitSizes | undefined {
  return datasetDefinition(op).sizes(params);
}

/** Sizes read cheaply from file headers (IDX header, file length) for datasets whose size depends on a file. */
export async function probeDatasetSizes(op: string, params: DatasetParams): Promise<SplitSizes> {
  return datasetDefinition(op).probeSizes(params);
}
