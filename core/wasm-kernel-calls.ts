// Helpers for kernels that run inside the wasm backend. A kernel receives TensorInfos (not Tensors)
// and must not go through the engine (no tape, no scopes), so composite kernels call the backend's
// own kernels directly and release what they allocate, the way tfjs's built-in kernels do.
// In core because two folders that may not import each other write such kernels: the layers' own
// (stdlib/nn/kernels) and the fixes of the wasm backend's gaps (runtime/backends/kernels).
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { functionCode, I32, instanceOn, moduleBytes, op, type Memory } from './wasm-bytes.ts';

export type WasmTypedArray = Float32Array | Int32Array | Uint8Array;

/** Runs the wasm backend's kernel `kernelName` on TensorInfos; the caller owns the result. */
export function callWasmKernel(
  backend: BackendWasm,
  kernelName: string,
  inputs: tf.NamedTensorInfoMap,
  attrs: object = {},
): tf.TensorInfo {
  const outputs = callWasmKernelOutputs(backend, kernelName, inputs, attrs);
  if (outputs.length !== 1) throw new Error(`wasm kernel '${kernelName}' returned several outputs`);
  return outputs[0]!;
}

/** callWasmKernel for a kernel of several outputs (cross-entropy's, a formula's): every one, in order. */
export function callWasmKernelOutputs(
  backend: BackendWasm,
  kernelName: string,
  inputs: tf.NamedTensorInfoMap,
  attrs: object = {},
): tf.TensorInfo[] {
  const kernel = tf.getKernel(kernelName, 'wasm');
  if (kernel === undefined) throw new Error(`wasm backend has no '${kernelName}' kernel`);
  const out = kernel.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap });
  return Array.isArray(out) ? out : [out];
}

/** Drops this kernel's reference to intermediate results. */
export function release(backend: BackendWasm, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/**
 * A view of a tensor's data inside the wasm heap. Views are invalidated when the heap grows, so
 * take them after every allocation the kernel makes (i.e. after `makeOutput`).
 */
export function heapView(backend: BackendWasm, info: tf.TensorInfo): WasmTypedArray {
  const view = backend.typedArrayFromHeap(info);
  if (!(view instanceof Float32Array || view instanceof Int32Array || view instanceof Uint8Array)) {
    throw new Error(`unsupported dtype ${info.dtype} in a wasm kernel`);
  }
  return view;
}

const zeroModule = (shared: boolean) =>
  moduleBytes([I32, I32], [{ name: 'zero', code: functionCode([], [...op.get(0), ...op.i32(0), ...op.get(1), ...op.memoryFill]) }], shared);

/**
 * Sets a tensor's data to +0 with WebAssembly's memory.fill: a TypedArray's fill on the threaded
 * backend's shared heap is ~10× slower than on an ordinary buffer (0.15 ms for LeNet-5's 282K-float
 * pool gradient, a few ms a step in all).
 */
export function zeroData(backend: BackendWasm, info: tf.TensorInfo): void {
  const view = heapView(backend, info);
  const memory = backendMemory(backend);
  if (memory === undefined) {
    view.fill(0);
    return;
  }
  instanceOn<{ zero: (at: number, bytes: number) => void }>(memory, 'zero', zeroModule).zero(view.byteOffset, view.byteLength);
}

/** The kernels here read NHWC data only, like the wasm backend's own conv and pool kernels. */
export function assertChannelsLast(kernelName: string, dataFormat: unknown): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`${kernelName} on wasm supports NHWC only, got ${String(dataFormat)}`);
  }
}

/**
 * The memory the wasm backend keeps its tensors in, for loops that work on them in place (the
 * threaded and the single-threaded builds keep it in different places).
 */
export function backendMemory(backend: BackendWasm): Memory | undefined {
  const module = backend.wasm as unknown as { wasmMemory?: Memory; asm?: { memory?: Memory } };
  return module.wasmMemory ?? module.asm?.memory;
}

/**
 * A composite kernel's scratch: the tensors it allocates, all released by releaseAll() (in a finally)
 * but the ones it keeps as results; and their heap addresses for SIMD loops.
 */
export class KernelScratch {
  private readonly made = new Set<tf.TensorInfo>();
  readonly backend: BackendWasm;
  readonly memory: Memory;
  constructor(backend: BackendWasm) {
    const memory = backendMemory(backend);
    if (memory === undefined) throw new Error('this kernel needs the wasm backend heap');
    this.backend = backend;
    this.memory = memory;
  }
  make(shape: number[], dtype: 'float32' | 'int32' = 'float32'): tf.TensorInfo {
    return this.track(this.backend.makeOutput(shape, dtype));
  }
  track(info: tf.TensorInfo): tf.TensorInfo {
    this.made.add(info);
    return info;
  }
  /** Releases tensors the kernel no longer needs. */
  drop(...infos: tf.TensorInfo[]): void {
    for (const info of infos) this.made.delete(info);
    release(this.backend, ...infos);
  }
  /** The kernel's result: not released. */
  keep(info: tf.TensorInfo): tf.TensorInfo {
    this.made.delete(info);
    return info;
  }
  releaseAll(): void {
    release(this.backend, ...this.made);
    this.made.clear();
  }
  /** A tensor's byte address; valid until the next allocation (take addresses after allocating). */
  address(info: tf.TensorInfo): number {
    return heapView(this.backend, info).byteOffset;
  }
  ints(info: tf.TensorInfo): Int32Array {
    return heapView(this.backend, info) as Int32Array;
  }
  floats(info: tf.TensorInfo): Float32Array {
    return heapView(this.backend, info) as Float32Array;
  }
  /** Sets a tensor's data to +0 (zeroData). */
  zero(info: tf.TensorInfo): void {
    zeroData(this.backend, info);
  }
}
