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
   * Runs the calls (argument lists of i32s) of export `fn` of `module`, each exactly once, on
   * whichever thread takes it first: the helpers, and this thread through `runHere`. Returns when all
   * have run; throws if one failed on a helper; false if the calls do not fit its control block
   * (then none ran).
   */
  share(module: LoopModule, fn: string, calls: readonly (readonly number[])[], runHere: (args: readonly number[]) => void): boolean;
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
 * SPLIT_MIN_WORK), each on whichever thread takes it first, this one included; otherwise in order
 * on this thread. Calls must write disjoint outputs. Returns when all have run.
 */
export function runLoopCalls(memory: Memory, module: LoopModule, fn: string, calls: readonly (readonly number[])[], work = Infinity): void {
  const exports = instanceOn<Record<string, (...args: number[]) => void>>(memory, module.key, module.build);
  const loop = exports[fn];
  if (loop === undefined) throw new Error(`loop module '${module.key}' has no '${fn}'`);
  const runHere = (args: readonly number[]) => loop(...args);
  const shared = calls.length > 1 && work >= SPLIT_MIN_WORK && readyHelpers(memory) > 0 && helpers!.share(module, fn, calls, runHere);
  if (!shared) for (const args of calls) runHere(args);
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

/**
 * How many pieces to cut a loop's `work` into on `memory`: a few per thread that would run it now (the
 * threads take pieces as they come free, so a helper that wakes late or runs slow costs little), one
 * if the work is small.
 */
export function piecesFor(memory: Memory, work: number): number {
  const helpersNow = work < SPLIT_MIN_WORK ? 0 : readyHelpers(memory);
  return helpersNow === 0 ? 1 : PIECES_PER_THREAD * (helpersNow + 1);
}

const PIECES_PER_THREAD = 3;
