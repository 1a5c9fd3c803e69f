// The signature of a standard-library function: one JSON Schema serves declaration checking,
// defaults (filled before hashing) and documentation, OpenLTH-style. The compiler's type system reads
// `returns` and the `ltxType` keyword on arguments; the runtime reads `version` (bump it whenever the
// op's numbers would change, so cached results of the old implementation stop matching).

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

export interface Signature {
  name: string;
  category: Category;
  /** What a call returns. */
  returns: LtxType;
  /** Implementation version: part of every stage key the op produces. */
  version: number;
  /** Parameter names that positional arguments bind to, in order. */
  positional: string[];
  /** Object schema of the (named) parameters, with defaults. */
  schema: JsonSchema;
  /** One paragraph for docs/language.md and `--help`. */
  summary: string;
}

/**
 * Upper bounds of sizes and counts, defined here once: generous (far beyond any experiment that could
 * run) but finite, so that a slip such as `hidden: [1e15]` is refused at the argument instead of
 * exhausting memory later. Steps are bounded by the compiler, which resolves epochs to steps.
 */
export const LIMITS = {
  /** Every seed (init, data order, splits, masks, chains): an unsigned 32-bit integer. */
  seed: 2 ** 32 - 1,
  /** Steps of a training run, and every step or interval a program names. */
  steps: 1_000_000_000,
  /** Widths: input features, units, channels, classes, vocabulary entries, heads. */
  width: 1_000_000,
  /** Positions of a context window, pixels along a side of an image, kernel sizes. */
  positions: 65_536,
  /** Layers of a network: hidden widths listed, blocks, resnet depth. */
  layers: 10_000,
  /** Examples of a generated data set (p² pairs for modular addition), samples, batch sizes. */
  examples: 100_000_000,
  /** Repetitions: pruning rounds, copies, points along a path, chains, kernel samples. */
  repeats: 10_000,
  /** SGLD draws and burn-in steps per chain. */
  draws: 10_000_000,
  /** Weights of a model: 4 GB as 32-bit floats. */
  parameters: 1_000_000_000,
} as const;

/** Argument schema helpers: keep signatures short and uniform. */
export const arg = {
  ref: (types: LtxType[], description: string): JsonSchema => ({ ltxType: types, description }),
  int: (description: string, extra: JsonSchema = {}): JsonSchema => ({ type: 'integer', description, ...extra }),
  number: (description: string, extra: JsonSchema = {}): JsonSchema => ({ type: 'number', description, ...extra }),
  fraction: (description: string, extra: JsonSchema = {}): JsonSchema => {
    const schema: JsonSchema = { type: 'number', minimum: 0, maximum: 1, description, ...extra };
    // One bound per side: an exclusive bound replaces the inclusive one.
    if ('exclusiveMaximum' in extra) delete schema.maximum;
    if ('exclusiveMinimum' in extra) delete schema.minimum;
    return schema;
  },
  bool: (description: string, def?: boolean): JsonSchema => ({
    type: 'boolean', description, ...(def === undefined ? {} : { default: def }),
  }),
  string: (description: string, extra: JsonSchema = {}): JsonSchema => ({ type: 'string', description, ...extra }),
  oneOf: (values: string[], description: string, def?: string): JsonSchema => ({
    type: 'string', enum: values, description, ...(def === undefined ? {} : { default: def }),
  }),
  /** A number of steps; `3 epochs` is accepted and converted from the run's dataset and batch size. */
  quantity: (description: string, defSteps?: number): JsonSchema => ({
    ltxType: ['quantity'],
    description,
    ...(defSteps === undefined ? {} : { default: { $ltx: 'quantity', amount: defSteps, unit: 'steps' } }),
  }),
  /** A positive integer up to `limit` (one of LIMITS). */
  count: (description: string, limit: number, extra: JsonSchema = {}): JsonSchema => ({
    type: 'integer', minimum: 1, maximum: limit, description, ...extra,
  }),
  /** A list of positive integers up to `limit`, at most LIMITS.layers of them. */
  counts: (description: string, limit: number, extra: JsonSchema = {}): JsonSchema => ({
    type: 'array', items: { type: 'integer', minimum: 1, maximum: limit }, maxItems: LIMITS.layers, description, ...extra,
  }),
  seed: (description = 'seed of the random choice', def: number | undefined = 0): JsonSchema => ({
    type: 'integer', minimum: 0, maximum: LIMITS.seed, description, ...(def === undefined ? {} : { default: def }),
  }),
  shape: (description: string, def?: number[]): JsonSchema => ({
    type: 'array', items: { type: 'integer', minimum: 1, maximum: LIMITS.positions }, minItems: 1, maxItems: 3, description,
    ...(def === undefined ? {} : { default: def }),
  }),
};

export function objectSchema(
  properties: Record<string, JsonSchema>,
  required: string[] = [],
): JsonSchema {
  return { type: 'object', properties, required, additionalProperties: false };
}
