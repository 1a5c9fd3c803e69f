// Errors the store raises. Corruption is its own class so callers can tell "the cache is damaged,
// recompute or run `ltx cache verify`" apart from programming errors.

/** Base class of every error the store throws on purpose. */
export class StoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** What was found damaged: a tensor of a checkpoint, an output blob of a stage, or a header. */
export interface CorruptionSite {
  /** The tensor whose checksum or bounds failed (checkpoint decoding). */
  readonly tensor?: string;
  /** The stage key whose record or output is damaged. */
  readonly key?: string;
  /** The output name within that stage. */
  readonly output?: string;
  /** The blob digest that failed verification. */
  readonly digest?: string;
}

/** Bytes on disk do not match what was recorded about them. */
export class StoreCorruptError extends StoreError {
  readonly tensor: string | undefined;
  readonly key: string | undefined;
  readonly output: string | undefined;
  readonly digest: string | undefined;

  constructor(message: string, site: CorruptionSite = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreCorruptError';
    this.tensor = site.tensor;
    this.key = site.key;
    this.output = site.output;
    this.digest = site.digest;
  }
}
