// What one standard-library op is, as every layer sees it. The compiler reads an op's signature (schema
// with defaults, version, what it returns) and its lowering rule; the runtime calls its implementation;
// the report draws its figure. One module in stdlib/ exports one OpModule, and nothing else in ltx names it.
import type { Tensor } from '@tensorflow/tfjs-core';
import type { Artifact, Checkpoint, Mask } from './artifacts.ts';
import type { Json } from './json.ts';
import type { Stage } from './stage.ts';

/** The types of values in the language. `init` is a checkpoint at step 0; `lottery` a family of runs. */
export type LtxType =
  | 'number'
  | 'string'
  | 'boolean'
  | 'quantity'
  | 'list'
  | 'record'
  | 'dataset'
  | 'split'
  | 'model'
  | 'init'
  | 'checkpoint'
  | 'optimizer'
  | 'schedule'
  | 'run'
  | 'mask'
  | 'family'
  | 'lottery'
  | 'probe';

export type Category =
  | 'dataset'
  | 'model'
  | 'init'
  | 'optimizer'
  | 'schedule'
  | 'training'
  | 'pruning'
  | 'lottery'
  | 'probe';

/** A JSON Schema (draft 2020-12 subset as ajv understands it) plus ltx's `ltxType` keyword. */
export type JsonSchema = { [key: string]: unknown };

/** How a call is declared: one JSON Schema serves checking, defaults (filled before hashing) and docs. */
export interface Signature {
  name: string;
  category: Category;
  /** What a call returns. */
  returns: LtxType;
  /** Implementation version: part of every stage key the op produces; bump it when its numbers would change. */
  version: number;
  /** Parameter names that positional arguments bind to, in order. */
  positional: string[];
  /** Object schema of the (named) parameters, with defaults: the only place its defaults live. */
  schema: JsonSchema;
  /** One paragraph for docs/language.md and hovers. */
  summary: string;
}

/** A stage's progress as training reports it: steps done in the segment, and the mean loss since the last report. */
export interface StageProgress {
  step: number;
  total: number;
  loss?: number;
}

export type NamedTensors = Readonly<Record<string, Tensor>>;

/** The weights and masks a computation reads, already on the backend; shared and read-only. */
export interface TensorSource {
  /** The checkpoint's weights and buffers by parameter name. Shared: never dispose them, never modify them. */
  weightsOf(checkpoint: Checkpoint): NamedTensors;
  /** The keep-masks as float32 tensors of 0 and 1 by parameter name. Shared: never dispose them, never modify them. */
  masksOf(mask: Mask): NamedTensors;
}

/**
 * What a stage implementation receives besides its stage and inputs. Datasets are not in it: the
 * standard library loads them itself, once per thread (stdlib/stage-support/data-cache.ts).
 */
export interface StageContext {
  /** Directory of the program's entry file: relative dataset paths resolve against it (core/data-path.ts). */
  programDir: string;
  /** Abort: the stage stops at the next step boundary and throws an AbortError. */
  signal: AbortSignal;
  /** Called every few steps by training. */
  progress(p: StageProgress): void;
  /**
   * The inputs' weights and masks on the backend, shared with the thread's other stages (read-only);
   * absent outside the runtime, where training and probes upload them for themselves.
   */
  tensors?: TensorSource;
}

export type StageImplementation = (stage: Stage, inputs: Record<string, Artifact>, ctx: StageContext) => Promise<Artifact>;

/** Train and test sizes of a dataset, for converting epochs to steps at compile time. */
export interface SplitSizes {
  train: number;
  test: number;
}

/** An op's parameters as the compiler passes them: checked against its schema, defaults filled. */
export type OpParams = { [key: string]: Json };

/**
 * What a dataset op carries besides its signature and lowering. Its methods receive the parameters with
 * the `path` already absolute (core/data-path.ts). What a load produces and what it may need
 * from its caller are the dataset concept's own types (stdlib's), which core does not know: a Library
 * carries them opaque and stdlib's dataset module type names them.
 */
export interface DatasetFacet<Loaded = unknown, Context = never> {
  /** Reads (or generates) the dataset. */
  load(params: OpParams, ctx: Context): Promise<Loaded>;
  /** Split sizes read cheaply from the files (headers, lengths), for when the lowering's `sizes` cannot tell. */
  probeSizes(params: OpParams): Promise<SplitSizes>;
  /**
   * The files a load reads, by a name relative to the dataset's path (its entries for a directory, its
   * own name for a file): their digests enter the dataset's identity. Throws, with a message for the
   * user, when one is missing or is not a regular file.
   */
  files(params: OpParams): Promise<DataFiles>;
}

/** Absolute paths of a dataset's files by their names (`train-images-idx3-ubyte.gz`). */
export type DataFiles = { [name: string]: string };

/** What the compiler needs to know of an architecture: enough to check names and shapes, no weights. */
export interface ModelShape {
  /** Names of the weight layers that pruning may touch (`layer1`, …, `output`). */
  prunableLayers: string[];
  /** Elements of all its parameters: a model past the limit is refused before anything allocates it. */
  weights: number;
}

/** Which role a probe's argument plays: weights (an init, a checkpoint, a run), a mask, or either. */
export type SubjectRole = 'weights' | 'mask' | 'weights-or-mask';

/**
 * How a call becomes values and stages: a rule of the compiler's that the op opts into. The compiler
 * knows the rules (the stage kinds of the language), never the ops; an op of a new name with an existing
 * rule needs nothing in the compiler.
 */
export type Lowering =
  /** A dataset descriptor; `sizes` from the parameters alone, or undefined when they depend on a file. */
  | { rule: 'dataset'; sizes(params: OpParams): SplitSizes | undefined }
  /** A model descriptor; `shape` throws with a message for the user when the arguments describe no network. */
  | { rule: 'model'; shape(params: OpParams): ModelShape }
  /** Initial weights of a model: an `init` stage whose params name this op as the scheme. */
  | { rule: 'init' }
  | { rule: 'optimizer' }
  | { rule: 'schedule' }
  /** A training run (`train` stages, one per segment between referenced steps). */
  | { rule: 'run' }
  /** A mask from the weights' magnitudes. */
  | { rule: 'magnitude-mask' }
  /** A mask with the per-layer sparsity of another, drawn at random. */
  | { rule: 'random-mask' }
  /** A checkpoint ⊙ mask. */
  | { rule: 'rewind' }
  /** Fresh weights of an init's scheme ⊙ mask. */
  | { rule: 'reinit' }
  /**
   * A lottery: level 0 the run, each level a magnitude mask of the previous level, a rewind and a run
   * (the stages of the magnitude-mask, rewind and run rules: the sugar and its long form are one).
   * `levels`: the parameter holding the number of levels, or 1; `rate`: the parameter holding each level's rate.
   */
  | { rule: 'lottery'; levels: string | 1; rate: string }
  /**
   * A probe: one stage per member of its subjects (families paired by coordinates). `subjects` gives the
   * role of each subject argument; `consecutive` pairs consecutive members of one family instead;
   * `copies` trains copies from a checkpoint (instability). `on` defaults to the `split` of a dataset.
   */
  | ProbeLowering;

export interface ProbeLowering {
  rule: 'probe';
  subjects: { [param: string]: SubjectRole };
  pairing?: 'members' | 'consecutive' | 'copies';
  split?: 'train' | 'test';
}

export type LoweringRule = Lowering['rule'];

/** The figures and metrics of a probe, for `ltx results` and `ltx report`. */
export interface ProbeReporting {
  /** Metric names its rows carry, the main one first. */
  metrics: string[];
  /** Metrics drawn over a coordinate (steps of `RUN @ every N`, levels of a lottery), if any. */
  trajectory?: string[];
}

/** One standard-library op: its signature and, for ops that compute stages, the stage op and implementation. */
export interface OpModule extends Signature {
  lowering: Lowering;
  /** The stage op its stages carry, when it is not the call's name (`fit` → `train`, every init → `init`). */
  stageOp?: string;
  implementation?: StageImplementation;
  reporting?: ProbeReporting;
  /** A dataset op's loader, for code that holds only the Library (the CLI reads sizes from files through it). */
  dataset?: DatasetFacet;
}

/** Parameters of a descriptor (dataset, model, optimizer) as they enter the keys of the stages that use it. */
export interface OpRefJson {
  op: string;
  version: number;
  params: OpParams;
}
