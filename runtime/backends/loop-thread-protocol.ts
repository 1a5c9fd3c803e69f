// The control block the helper threads for ltx's SIMD loops share with the main thread: i32 slots of a
// SharedArrayBuffer (runtime/backends/loop-threads.ts writes a batch of calls, loop-thread-worker.ts
// and the main thread both take calls from it). Each call is claimed by compare-and-swap on one slot
// that holds the batch's sequence number and the next call's index, so a call runs exactly once, on
// whichever thread claims it first, and a helper that wakes late finds nothing left rather than
// making the main thread wait.
export const BLOCK = {
  /** Incremented by the main thread for each batch of calls (helpers wait on it). */
  sequence: 0,
  /** (sequence & 0xffff) << 16 | index of the next unclaimed call. */
  claim: 1,
  /** Calls of the batch that have run (either thread). */
  finished: 2,
  /** 0: the calls ran; 1: one failed on a helper. */
  status: 3,
  /** Helpers that have started and wait for calls. */
  ready: 4,
  /** The module (an id sent with it) and the index of the function to call. */
  module: 5,
  function: 6,
  /** Arguments per call, and calls. */
  width: 7,
  calls: 8,
  /** First slot of the arguments, call after call. */
  args: 16,
} as const;

/** Slots of a control block: room for the arguments of ~8,000 calls of 8. */
export const BLOCK_SLOTS = 1 << 16;

/** Claims the next call of batch `sequence` for this thread: its index, or -1 if none is left (or the batch is over). */
export function claimCall(control: Int32Array, sequence: number, calls: number): number {
  const tag = (sequence & 0xffff) << 16;
  for (;;) {
    const current = Atomics.load(control, BLOCK.claim);
    if ((current & 0xffff0000) !== tag) return -1;
    const index = current & 0xffff;
    if (index >= calls) return -1;
    if (Atomics.compareExchange(control, BLOCK.claim, current, current + 1) === current) return index;
  }
}
