// What a stage implementation gets from the runtime besides its stage and inputs, and the two ways it
// can end without a result: a StageFailure (the stage's own fault: a NaN loss, a model that does not fit
// its data) or an abort (the user stopped the run; nothing is wrong with the stage).
import type { DataCache } from '../data-cache.ts';
import type { TensorSource } from '../resident-tensors.ts';

export interface StageProgress {
  step: number;
  total: number;
  /** Mean training loss over the steps since the previous report. */
  loss?: number;
}

export interface ExecContext {
  /** Directory of the program file: relative dataset paths (e.g. text("../data/x.txt")) resolve against it. */
  programDir: string;
  /** Abort: the stage stops at the next step boundary and throws an AbortError. */
  signal: AbortSignal;
  /** Called every few steps by training. */
  progress(p: StageProgress): void;
  /** Loads each dataset once per process. */
  data: DataCache;
  /**
   * The inputs' weights and masks on the backend, shared with the thread's other stages (read-only);
   * absent outside the runtime, where training and probes upload them for themselves.
   */
  tensors?: TensorSource;
}

/** A stage that cannot produce its result; `cause` says why in words meant for the user. */
export class StageFailure extends Error {
  override readonly cause: string;

  constructor(cause: string) {
    super(cause);
    this.name = 'StageFailure';
    this.cause = cause;
  }
}

/** The error an aborted stage throws: a DOMException named 'AbortError', as fetch and timers use. */
export function abortError(): Error {
  return new DOMException('the stage was aborted', 'AbortError');
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/** Throws the AbortError if the run was stopped; stages call it at every step boundary. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError();
}

/** Run a probe's computation; any error that is not already a StageFailure (or an abort) becomes one naming the op. */
export async function failing<T>(op: string, compute: () => T | Promise<T>): Promise<T> {
  try {
    return await compute();
  } catch (error) {
    if (error instanceof StageFailure || isAbortError(error)) throw error;
    throw new StageFailure(`${op}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
