// What lowering a call needs from the evaluation around it: the library, the diagnostics, dataset sizes,
// step arithmetic and the record of split points. A narrow interface, so the lowering of calls
// (ops.ts) does not depend on the evaluator that drives it.
import type { Library } from '../core/library.ts';
import type { SplitSizes } from '../core/op.ts';
import type { Json } from '../core/json.ts';
import type { SourceRange } from '../core/source.ts';
import type { DiagnosticSink } from './diagnostics-sink.ts';
import type { StageBudget } from './stage-budget.ts';
import type { TypedPlaceholder } from './schema-check.ts';
import type { RunNode, Value } from './values.ts';

/** A dataset's train/test sizes, why its files are refused (a device, a FIFO, too large), or unknown. */
export type DatasetSizeAnswer = SplitSizes | { refused: string } | undefined;

export type DatasetSizeLookup = (op: string, params: { [key: string]: Json }) => DatasetSizeAnswer;

/**
 * The SHA-256 of each file a dataset reads, by the file's name; or why they cannot be read (a file is
 * missing, a device, too large), a message for the `path:` argument; or not known yet.
 */
export type DatasetContentAnswer = { content: { [name: string]: string } } | { problem: string } | undefined;

export type DatasetContentLookup = (op: string, params: { [key: string]: Json }) => DatasetContentAnswer;

export interface LoweringHost {
  readonly library: Library;
  readonly sink: DiagnosticSink;
  /** The program's stage budget: lowering spends one per stage it makes. */
  readonly budget: StageBudget;
  /** Train/test sizes of a dataset when they need a file (text, custom paths). */
  readonly datasetSizes?: DatasetSizeLookup;
  /** Digests of a dataset's files: they enter its descriptor, so an edited file re-keys what uses it. */
  readonly datasetContent?: DatasetContentLookup;
  /** The directory of the program's entry file: a dataset's relative path is rewritten to be relative to it. */
  readonly programDirectory: string;
  /** Steps of a quantity (or a plain integer); epochs from the dataset's train size and the batch size. */
  quantityToSteps(value: Value | TypedPlaceholder | number, dataset: { op: string; params: { [key: string]: Json }; sizes?: { train: number } }, batch: number, file: string, range: SourceRange, what: string): number | undefined;
  /** Record that `step` of `run` is referenced, so the run is split there. */
  addSplit(run: RunNode, step: number): void;
}
