// What one standard-library op is, as every layer sees it. The compiler reads an op's signature (schema
// with defaults, version, what it returns) and its lowering rule; the runtime calls its implementation;
// the report draws its figure. One module in stdlib/ exports one OpModule, and nothing else in ltx names it.
import type { Tensor } from '@tensorflow/tfjs-core';
import type { Artifact, Checkpoint, Mask } from './artifacts.ts';
import type { DataShape, ModelIO } from './data-fit.ts';
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
  /** In the report right after an intermediate checkpoint was committed: the run's step it holds. */
  committed?: number;
  /** In the first report of a training stage that resumes its run from a checkpoint the cache had: its step. */
  resumedFrom?: number;
}

/**
 * Intermediate results of a long training stage: when to commit one, and how. Each is the cache entry of
 * the run at its step, so an interrupted stage resumes from the latest one.
 */
export interface CheckpointPolicy {
  /** Commit after this many steps since the stage started or last committed (tests set it)... */
  everySteps?: number;
  /** ...or after this many milliseconds of training, whichever comes first. */
  everyMs: number;
  /** Commits `checkpoint` as the run's checkpoint at its step; resolves once it is durable. */
  commit(checkpoint: Checkpoint): Promise<void>;
}

export type NamedTensors = Readonly<Record<string, Tensor>>;

/** The weights and masks a computation reads, already on the backend; shared and read-only. */
export interface TensorSource {
  /** The checkpoint's weights and buffers by parameter name. Shared: never dispose them, never modify them. */
  weightsOf(checkpoint: Checkpoint): NamedTensors;
  /** The keep-masks as float32 tensors of 0 and 1 by parameter name. Shared: never dispose them, never modify them. */
  masksOf(mask: Mask): NamedTensors;
}

/** Ops by the name programs call them with: what a Library is to the stages it computes. */
export interface OpCatalog {
  /** The op called `name`, if the library has it. */
  op(name: string): OpModule | undefined;
}

/**
 * What a stage implementation receives besides its stage and inputs. Datasets are not in it: the
 * standard library loads them itself, once per thread (stdlib/stage-support/data-cache.ts).
 */
export interface StageContext {
  /**
   * The library the runtime computes with: a stage finds the model and the init scheme its parameters
   * name here, so that a library with an op of its own computes that op's stages too.
   */
  library: OpCatalog;
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
  /** For a stage that computes a checkpoint of a training run: where its intermediate checkpoints go. */
  checkpoints?: CheckpointPolicy;
}

export type StageImplementation = (stage: Stage, inputs: Record<string, Artifact>, ctx: StageContext) => Promise<Artifact>;

/**
 * The value `load` resolves to, loaded on the first call and shared by every later one. Op modules are
 * read by every command (the compiler needs their signatures), but what computes their stages imports
 * TensorFlow.js, which only a run that computes something needs: that part loads through this.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => (loading ??= load());
}

/**
 * A stage implementation whose module is imported when a stage first needs it:
 * `implementation: lazyImplementation(() => import('./x-stage.ts').then((m) => m.xStage))`.
 */
export function lazyImplementation(load: () => Promise<StageImplementation>): StageImplementation {
  const loaded = loadOnce(load);
  return async (stage, inputs, ctx) => (await loaded())(stage, inputs, ctx);
}

/** One stage to compute: what a StageImplementation receives. */
export interface StageCall {
  stage: Stage;
  inputs: Record<string, Artifact>;
  ctx: StageContext;
}

/**
 * Stages of one op computed together as one batched computation (replicates: seeds, data orders,
 * controls), which amortizes the per-op overhead that dominates small nets. Each member is still its
 * own stage: it gets the bits it would get alone, and settles (or fails) on its own.
 */
export interface StageBatching {
  /**
   * Stages of equal group keys may be computed together: a rule of the stages' recipes (never of
   * timing); undefined when the stage always computes alone.
   */
  groupKey(stage: Stage): string | undefined;
  /** One result per call, in order; a call that fails is rejected alone, the others still fulfil. */
  implementation(calls: readonly StageCall[]): Promise<PromiseSettledResult<Artifact>[]>;
  /**
   * Whether a call, its inputs read, would compute alone even inside its group (a rule of its inputs:
   * a mask that selects kernels the group's joint computation lacks). The runner hands such a call
   * back unstarted, to be scheduled on its own, so that it neither waits for its group nor holds the
   * group's worker while another worker is free.
   */
  alone?(call: Pick<StageCall, 'stage' | 'inputs'>): boolean;
}

/** Train and test sizes of a dataset, for converting epochs to steps at compile time. */
export interface SplitSizes {
  train: number;
  test: number;
  /** Classes (a text's vocabulary) where only the files tell, read with the sizes. */
  classes?: number;
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
export interface ModelShape extends ModelIO {
  /** Names of the weight layers that pruning may touch (`layer1`, …, `output`). */
  prunableLayers: string[];
  /** Names of the hidden representations its forward exposes to the representation probes; empty: none. */
  hiddenLayers: string[];
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
  /**
   * A dataset descriptor; `sizes` from the parameters alone, or undefined when they depend on a file;
   * `shape` what its examples are (`read`: what the files told, when they were read), or undefined when
   * it cannot tell before loading.
   */
  | { rule: 'dataset'; sizes(params: OpParams): SplitSizes | undefined; shape?(params: OpParams, read?: SplitSizes): DataShape | undefined }
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
  /**
   * The parameter (a list of names, none meaning all) that chooses among the hidden layers of its weights
   * subjects' models: a probe that compares hidden representations. Its models must expose some, the
   * names must be theirs, and every subject's model must have each layer compared.
   */
  hiddenLayers?: string;
}

export type LoweringRule = Lowering['rule'];

/** The figures and metrics of a probe, for `ltx results` and `ltx report`. */
export interface ProbeReporting {
  /** Metric names its rows carry, the main one first (numbered ones, such as one per chain, left out). */
  metrics: string[];
  /** What `ltx report` draws of it, in order; none for a probe read from its table alone. */
  figures: FigureDeclaration[];
}

/**
 * A figure of `ltx report`, declared by the probe it draws as plain data: cli/report has one builder
 * per kind and knows no probe by name. Captions are the probe's words; the builder adds what the rows
 * say (series, values, provenance) and where the rows were declared.
 */
export type FigureDeclaration = TicketCurveFigure | TrajectoryFigure | InterpolationPathFigure | ChainsFigure | PairHeatmapFigure;

export type FigureKind = FigureDeclaration['kind'];

/** The ordered coordinates of training a figure can draw along: the steps of `RUN @ every N`, a lottery's levels. */
export type TrainingCoordinate = 'step' | 'level';

/**
 * `metric` against the share of prunable weights the rows' masks keep (their metric `remaining`), one
 * series per probe: every probe whose op declares a ticket curve of the same metric joins one figure.
 */
export interface TicketCurveFigure {
  kind: 'ticket-curve';
  metric: string;
  /** What the metric measures, opening the caption ("Top-1 accuracy"). */
  measure: string;
}

/** `metrics` over the training coordinate its rows vary along, one panel per metric, one figure per probe. */
export interface TrajectoryFigure {
  kind: 'trajectory';
  metrics: string[];
  /** What the panels show. */
  caption: string;
  /** The coordinates it may be drawn over, in order of preference (default: step, then level). */
  over?: TrainingCoordinate[];
}

/**
 * A quantity along the straight path between pairs of weights. Rows carry the series `alpha`, the
 * mean path `error` (or `loss`, for regression) and each pair's `error_pairs` (`loss_pairs`), and the
 * metric `barrier`. Every probe declaring one joins one figure.
 */
export interface InterpolationPathFigure {
  kind: 'interpolation-path';
  /** What the path means: the caption before the barriers. */
  caption: string;
}

/**
 * An estimate from several sampling chains, with each chain's loss trace: rows carry `METRIC_mean`,
 * `METRIC_std`, `METRIC_chain_I` and the series `traces.series` ([chain][draw]). Two figures per probe:
 * the estimates (over the training coordinate, if the rows vary along one) and the traces.
 */
export interface ChainsFigure {
  kind: 'chains';
  metric: string;
  title: string;
  /** The estimate's axis title. */
  axis: string;
  caption: string;
  /** Settings quoted in the caption, from the first row: metric name → symbol. */
  settings: { [metric: string]: string };
  /** A metric of each row drawn in a panel below the estimates, when the rows vary along a coordinate and all have it. */
  below?: { metric: string; axis: string; caption: string };
  traces: { series: string; title: string; caption: string };
}

/**
 * `metric` of pairs of subjects (one row per pair) per layer and in total, as a heatmap with the value
 * in each cell; optionally beside a baseline metric of the same rows. Every probe declaring one of the
 * same title joins one figure.
 */
export interface PairHeatmapFigure {
  kind: 'pair-heatmap';
  metric: string;
  title: string;
  /** The color legend's title. */
  legend: string;
  /** The two subjects (probe arguments) a row compares, and the symbol written between them. */
  pair: { subjects: [string, string]; symbol: string };
  caption: string;
  /** A metric the value is read against, quoted in the caption (in total) and the tooltips (per layer). */
  baseline?: { metric: string; label: string; caption: string };
}

/** One standard-library op: its signature and, for ops that compute stages, the stage op and implementation. */
export interface OpModule extends Signature {
  lowering: Lowering;
  /** The stage op its stages carry, when it is not the call's name (`fit` → `train`, every init → `init`). */
  stageOp?: string;
  implementation?: StageImplementation;
  /** How stages of its stage op run together with others of the same recipe; absent: always alone. */
  batching?: StageBatching;
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
