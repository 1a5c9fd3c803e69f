// Starting tfjs's wasm backend under Node: binaries read from the installed package, SIMD build,
// one thread (the multi-threaded build spawns workers from blob: URLs, which Node refuses).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

let configured = false;

/** Directory holding tfjs-backend-wasm's .wasm binaries (its package's dist/). */
export function wasmBinaryDirectory(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
}

/**
 * Points the wasm backend at its binaries as file paths (Emscripten reads those with fs in Node;
 * it would otherwise try fetch() on URLs) and pins it to one thread. Must run before the backend
 * first initializes; later calls do nothing.
 */
export function configureWasmForNode(): void {
  if (configured) return;
  configured = true;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setThreadsCount(1);
  setWasmPaths(join(wasmBinaryDirectory(), '/'));
}

/** How the started wasm backend runs, for the backend report. */
export async function describeWasm(): Promise<string> {
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return `WebAssembly${simd ? ' with SIMD' : ' without SIMD (this Node has no wasm SIMD)'}, 1 thread`;
}
