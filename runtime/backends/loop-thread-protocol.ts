// The control block a helper thread for ltx's SIMD loops shares with the main thread: i32 slots of a
// SharedArrayBuffer (runtime/backends/loop-threads.ts writes them, loop-thread-worker.ts reads them).
export const BLOCK = {
  /** Incremented by the main thread for each batch of calls. */
  sequence: 0,
  /** Set by the helper to the sequence it has finished. */
  done: 1,
  /** 0: the calls ran; 1: one failed. */
  status: 2,
  /** Set to 1 by the helper once it waits for calls. */
  ready: 3,
  /** The module (an id sent with it) and the index of the function to call. */
  module: 4,
  function: 5,
  /** Arguments per call, and calls. */
  width: 6,
  calls: 7,
  /** First slot of the arguments, call after call. */
  args: 8,
} as const;

/** Slots of a control block: room for the arguments of ~8,000 calls of 8. */
export const BLOCK_SLOTS = 1 << 16;
