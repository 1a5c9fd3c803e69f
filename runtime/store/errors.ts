// Errors the store raises. Corruption is its own class so callers can tell "the cache is damaged,
// recompute or run `ltx cache verify`" apart from programming errors.
import { errorCode } from './durable-fs.ts';

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

/**
 * The directory given as the cache is not one of ltx's: a file, or a directory holding things ltx did
 * not create. Nothing in it is read as a result, written or deleted.
 */
export class NotACacheError extends StoreError {
  readonly root: string;
  readonly why: string;

  constructor(root: string, why: string) {
    super(`${root} is not an ltx cache: ${why}`);
    this.name = 'NotACacheError';
    this.root = root;
    this.why = why;
  }
}

/** An ltx cache that cannot be used as asked: its layout is damaged, or it cannot be read or written. */
export class CacheUnusableError extends StoreError {
  readonly root: string;

  constructor(root: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CacheUnusableError';
    this.root = root;
  }
}

/** What an operating-system error means for using the cache, for the codes that are about access. */
const ACCESS_PROBLEMS: Readonly<Record<string, string>> = {
  EROFS: 'it is on a read-only file system',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'no space left on its device',
  EDQUOT: 'the disk quota is used up',
};

/**
 * `error` as a CacheUnusableError when it says the cache cannot be read or written (read-only, no
 * permission, full), so the user gets one clear line instead of an errno; any other error as it is.
 */
export function asAccessError(error: unknown, root: string, doing: 'read' | 'write to'): unknown {
  const why = ACCESS_PROBLEMS[errorCode(error) ?? ''];
  return why === undefined ? error : new CacheUnusableError(root, `cannot ${doing} the cache ${root}: ${why}`, { cause: error });
}
