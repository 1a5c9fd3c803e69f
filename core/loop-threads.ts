// ltx's SIMD loops (core/, stdlib/nn/kernels/, runtime/backends/kernels/) run on the wasm backend's
// heap on the thread that calls them, while XNNPACK's products around them use every thread the
// backend has. When it has several, a loop's independent calls (tiles, rows, images, Winograd
// coordinates: each writing its own outputs) can be spread over helper threads sharing the heap.
// runtime/backends starts the helpers and registers them here, so that the kernels of every folder
// can use them without importing runtime. Each output is still computed by one thread, in the same
// order, so the bits do not depend on whether or how calls were spread.
import { instanceOn, type Memory } from './wasm-bytes.ts';

/** A loop module: its instances are keyed by `key`; `build` makes its bytes (see instanceOn). */
export interface LoopModule {
  readonly key: string;
  readonly build: (sharedMemory: boolean) => Uint8Array;
}

/** Helper threads on one memory (runtime/backends/loop-threads.ts). */
export interface LoopHelpers {
  readonly memory: Memory;
  /** Helpers ready to take calls now (0 while they start). */
  ready(): number;
  /**
   * Hands helper h (0 ≤ h < ready()) the calls of export `fn`; returns at once. Every call is an
   * argument list of i32s.
   */
  post(h: number, module: LoopModule, fn: string, calls: readonly (readonly number[])[]): boolean;
  /** Waits until every helper handed calls has run them; throws if one failed. */
  wait(): void;
}

let helpers: LoopHelpers | undefined;

/** Registers the helper threads (undefined: none). */
export function setLoopHelpers(next: LoopHelpers | undefined): void {
  helpers = next;
}

/** The registered helpers, if any. */
export function currentLoopHelpers(): LoopHelpers | undefined {
  return helpers;
}

/** Helper threads that would take calls on `memory` now. */
export function readyHelpers(memory: Memory): number {
  return helpers !== undefined && helpers.memory === memory ? helpers.ready() : 0;
}

/** Whether helper threads serve `memory` (ready or starting). */
export function hasHelpers(memory: Memory): boolean {
  return helpers !== undefined && helpers.memory === memory;
}

/**
 * Runs `calls` of export `fn` of `module` on `memory`: with helper threads (and `work` of at least
 * SPLIT_MIN_WORK), the first share on this thread and the others' on the helpers, at once; otherwise
 * in order on this thread. Calls must write disjoint outputs. Returns when all have run.
 */
export function runLoopCalls(memory: Memory, module: LoopModule, fn: string, calls: readonly (readonly number[])[], work = Infinity): void {
  const exports = instanceOn<Record<string, (...args: number[]) => void>>(memory, module.key, module.build);
  const loop = exports[fn];
  if (loop === undefined) throw new Error(`loop module '${module.key}' has no '${fn}'`);
  const others = calls.length > 1 && work >= SPLIT_MIN_WORK ? readyHelpers(memory) : 0;
  if (others === 0) {
    for (const args of calls) loop(...args);
    return;
  }
  const share = Math.ceil(calls.length / (others + 1));
  let posted = false;
  for (let h = 0; h < others; h++) {
    const part = calls.slice(share * (h + 1), share * (h + 2));
    if (part.length === 0) continue;
    if (helpers!.post(h, module, fn, part)) posted = true;
    else for (const args of part) loop(...args); // too many arguments for the helper's block
  }
  try {
    for (const args of calls.slice(0, share)) loop(...args);
  } finally {
    if (posted) helpers!.wait();
  }
}

/** [from, to) ranges that split `count` items into `parts` near-equal pieces, cut only at multiples of `unit`. */
export function splitRanges(count: number, parts: number, unit = 1): [number, number][] {
  const units = Math.ceil(count / unit);
  const pieces = Math.max(1, Math.min(parts, units));
  const ranges: [number, number][] = [];
  for (let i = 0; i < pieces; i++) {
    const from = Math.min(count, Math.floor((units * i) / pieces) * unit);
    const to = Math.min(count, Math.floor((units * (i + 1)) / pieces) * unit);
    if (to > from) ranges.push([from, to]);
  }
  return ranges;
}

/**
 * Work (multiply-adds or elements visited) below which a loop stays on the calling thread: waking a
 * helper costs tens of microseconds, more while XNNPACK's threads still spin after a product (a
 * LeNet-5 max-pool gradient of 96K elements went from 0.14 to 0.54 ms when split).
 */
export const SPLIT_MIN_WORK = 1 << 18;

/** How many pieces to cut a loop's `work` into on `memory`: one per thread that would run it now, one if it is small. */
export function piecesFor(memory: Memory, work: number): number {
  return work < SPLIT_MIN_WORK ? 1 : readyHelpers(memory) + 1;
}
