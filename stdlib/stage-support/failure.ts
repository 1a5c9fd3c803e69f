// The two ways a stage implementation can end without a result: a StageFailure (the stage's own fault: a
// NaN loss, a model that does not fit its data) or an abort (the user stopped the run; nothing is wrong
// with the stage). The runtime tells them apart by name: a StageFailure's `cause` is the reason it
// reports, an AbortError means nothing is reported at all.

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

/** Run an op's computation; any error that is not already a StageFailure (or an abort) becomes one naming the op. */
export async function failing<T>(op: string, compute: () => T | Promise<T>): Promise<T> {
  try {
    return await compute();
  } catch (error) {
    if (error instanceof StageFailure || isAbortError(error)) throw error;
    throw new StageFailure(`${op}: ${messageOf(error)}`);
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
