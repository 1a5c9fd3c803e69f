// Starting tfjs's wasm backend under Node: binaries read from the installed package, SIMD build.
// One thread takes the packaged single-threaded build; more take the threaded build, which ltx
// starts itself (runtime/backends/wasm-threads.ts: the package's loader cannot in Node).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { backendMemory } from '../../core/wasm-kernel-calls.ts';
import { startLoopHelpers } from './loop-threads.ts';
import { registerThreadedWasm, threadedWasmFailure } from './wasm-threads.ts';

let configuredThreads: number | undefined;

/** Directory holding tfjs-backend-wasm's .wasm binaries (its package's dist/). */
export function wasmBinaryDirectory(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
}

/**
 * Points the wasm backend at its binaries as file paths (Emscripten reads those with fs in Node;
 * it would otherwise try fetch() on URLs) and sets its thread count. Must run before the backend
 * first initializes; later calls keep the first call's threads, which the process then has.
 */
export function configureWasmForNode(threads = 1): void {
  if (configuredThreads !== undefined) return;
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`wasm threads must be a positive integer, got ${threads}`);
  configuredThreads = threads;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setWasmPaths(join(wasmBinaryDirectory(), '/'));
  if (threads === 1) setThreadsCount(1);
  else registerThreadedWasm(threads);
}

/** How the started wasm backend runs, for the backend report. */
export async function describeWasm(): Promise<string> {
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = getThreadsCount();
  const fallback = threadedWasmFailure === undefined ? '' : ` (the threaded build did not start: ${threadedWasmFailure})`;
  return `WebAssembly${simd ? ' with SIMD' : ' without SIMD (this Node has no wasm SIMD)'}, ${threads} thread${threads === 1 ? '' : 's'}${fallback}`;
}

/**
 * Starts helper threads for ltx's own SIMD loops (loop-threads.ts), one per backend thread beyond the
 * first, once the wasm backend runs: XNNPACK's products use every thread, and so should the loops
 * between them.
 */
export function startWasmLoopHelpers(): void {
  const threads = getThreadsCount();
  if (threads > 1) startLoopHelpers(backendMemory(tf.backend() as BackendWasm), threads - 1);
}
