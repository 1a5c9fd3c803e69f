// The shapes every dataset loader produces. Datasets are plain typed arrays, row-major, one example
// after another; the trainer turns batches of them into tensors.
import type { DataShape, DataTask } from '../../core/data-fit.ts';
import type { DataFiles, DatasetFacet, OpModule, SplitSizes } from '../../core/op.ts';

export type { DataFiles, SplitSizes } from '../../core/op.ts';

/** One split: `n` examples; `x` holds n × prod(inputShape) values, `y` n labels or n × classes targets. */
export interface Split {
  x: Float32Array | Int32Array;
  y: Float32Array | Int32Array;
  n: number;
}

export type DatasetTask = DataTask;

export interface LoadedDataset {
  /** The dataset function's name, e.g. 'digits'. */
  name: string;
  task: DatasetTask;
  /** Per example: [h, w, c] for images (NHWC), [d] for vectors, [context] for token sequences. */
  inputShape: number[];
  /** Number of classes; output dimension for regression; vocabulary size for language models. */
  classes: number;
  train: Split;
  test: Split;
  /** Token inputs: ids below this many (modular_addition's residues, a text's characters). */
  tokens?: number;
  /** Language models only: token index → the character it stands for. */
  vocabulary?: string[];
}

/** The teacher network of `teacher(...)`: maps n inputs (row-major) to n × outputs targets. */
export type TeacherForward = (x: Float32Array, n: number) => Promise<Float32Array>;

/** What the runtime supplies beside the parameters: things a dataset cannot build itself. */
export interface DatasetContext {
  teacherForward?: TeacherForward;
}

/** Validated parameters of a dataset call, as the compiler passes them (percentages as fractions). */
export type DatasetParams = Record<string, unknown>;

export type DatasetLoader = (params: DatasetParams, ctx: DatasetContext) => Promise<LoadedDataset>;

/** Everything the rest of ltx needs to know about one dataset function: its signature, how it sizes and how it loads. */
export interface DatasetModule extends OpModule {
  lowering: { rule: 'dataset'; sizes(params: DatasetParams): SplitSizes | undefined; shape(params: DatasetParams, read?: SplitSizes): DataShape | undefined };
  dataset: DatasetImplementation;
}

/** A dataset's facet in stdlib's own types (core's `DatasetFacet` knows neither the parameters' reading nor what a load yields). */
export interface DatasetImplementation extends DatasetFacet<LoadedDataset, DatasetContext> {
  load: DatasetLoader;
  probeSizes(params: DatasetParams): Promise<SplitSizes>;
  files(params: DatasetParams): Promise<DataFiles>;
}
