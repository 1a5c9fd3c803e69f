// A dataset module from what its file knows: its signature, and how it sizes and loads. The rest
// (category, return type, lowering rule) is the same for every dataset.
import { signatureOf, type SignatureSpec } from '../signature.ts';
import type { DataShape } from '../../core/data-fit.ts';
import type { DataFiles, DatasetContext, DatasetModule, DatasetParams, LoadedDataset, SplitSizes } from './types.ts';

export interface DatasetSpec extends SignatureSpec {
  /** Split sizes from the parameters alone; undefined when they depend on a file's contents. */
  sizes(params: DatasetParams): SplitSizes | undefined;
  /** What its examples are from the parameters (and what `probeSizes` read); undefined when only loading tells. */
  shape(params: DatasetParams, read?: SplitSizes): DataShape | undefined;
  /** Split sizes read cheaply from the files (headers, lengths) when `sizes` cannot tell. */
  probeSizes(params: DatasetParams): Promise<SplitSizes>;
  load(params: DatasetParams, ctx: DatasetContext): Promise<LoadedDataset>;
  /** The files `load` reads, by name (see DatasetFacet.files); a dataset it generates reads none. */
  files?(params: DatasetParams): Promise<DataFiles>;
}

const NO_FILES = async (): Promise<DataFiles> => ({});

export function defineDataset(spec: DatasetSpec): DatasetModule {
  return {
    ...signatureOf(spec, 'dataset', 'dataset'),
    lowering: { rule: 'dataset', sizes: spec.sizes, shape: spec.shape },
    dataset: { load: spec.load, probeSizes: spec.probeSizes, files: spec.files ?? NO_FILES },
  };
}
