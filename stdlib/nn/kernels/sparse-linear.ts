// A dense layer whose weight matrix has a fixed sparsity pattern (a pruning mask), computed over the
// pattern's nonzeros only, on the wasm backend: forward x·W, input gradient dy·Wᵀ and the weight
// gradient xᵀ·dy at the nonzeros (zero elsewhere). Activations are laid out one row per feature,
// the batch along the row (padded to a multiple of 4 floats), so that each nonzero is one SIMD loop
// over the batch (sparse-simd.ts). The kernels read and write the wasm backend's heap directly.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callWasmKernel, heapView, release } from '../../../core/wasm-kernel-calls.ts';
import { ensureBytes, sparseLoops, type SparseLoops } from './sparse-simd.ts';

/** The nonzeros of a [inputs, outputs] mask, in row-major order. */
export interface SparsePattern {
  inputs: number;
  outputs: number;
  /** Input index (row) of each nonzero. */
  rows: Int32Array;
  /** Output index (column) of each nonzero. */
  cols: Int32Array;
}

export function patternOf(keep: ArrayLike<number>, inputs: number, outputs: number): SparsePattern {
  let nnz = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i] !== 0) nnz++;
  const rows = new Int32Array(nnz);
  const cols = new Int32Array(nnz);
  let k = 0;
  for (let i = 0; i < keep.length; i++) {
    if (keep[i] === 0) continue;
    rows[k] = Math.floor(i / outputs);
    cols[k] = i % outputs;
    k++;
  }
  return { inputs, outputs, rows, cols };
}

export const SPARSE_LINEAR = 'LtxSparseLinear';
export const SPARSE_LINEAR_INPUT_GRAD = 'LtxSparseLinearInputGrad';
export const SPARSE_LINEAR_WEIGHT_GRAD = 'LtxSparseLinearWeightGrad';

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: {};
  attrs?: tf.NamedAttrMap;
}

let loops: SparseLoops | undefined;

/** Byte offsets of one call's buffers in the loops' memory. */
interface Layout {
  srcRow: number;
  dstRow: number;
  values: number;
  src: number;
  dst: number;
  rowBytes: number;
  padded: number;
}

function layout(nnz: number, batch: number, srcRows: number, dstRows: number): { memory: SparseLoops; at: Layout } {
  loops ??= sparseLoops();
  const padded = Math.ceil(batch / 4) * 4;
  const rowBytes = padded * 4;
  const srcRow = 0;
  const dstRow = srcRow + nnz * 4;
  const values = dstRow + nnz * 4;
  const src = Math.ceil((values + nnz * 4) / 16) * 16;
  const dst = src + srcRows * rowBytes;
  ensureBytes(loops.memory, dst + dstRows * rowBytes);
  // The destination accumulates; the source is overwritten but for the padding of each row,
  // which the dot products read.
  const zeroFrom = padded === batch ? dst : src;
  new Uint8Array(loops.memory.buffer, zeroFrom, dst + dstRows * rowBytes - zeroFrom).fill(0);
  return { memory: loops, at: { srcRow, dstRow, values, src, dst, rowBytes, padded } };
}

function floats(backend: BackendWasm, info: tf.TensorInfo): Float32Array {
  const view = heapView(backend, info);
  if (!(view instanceof Float32Array)) throw new Error(`sparse linear layers need float32, got ${info.dtype}`);
  return view;
}

/** [batch, width] (row-major) → rows of the batch, `padded` apart, at byte `offset`. */
function writeTransposed(from: Float32Array, batch: number, width: number, to: Float32Array, offset: number, padded: number): void {
  const base = offset / 4;
  for (let n = 0; n < batch; n++) {
    const row = n * width;
    for (let f = 0; f < width; f++) to[base + f * padded + n] = from[row + f]!;
  }
}

function readTransposed(from: Float32Array, offset: number, padded: number, batch: number, width: number, to: Float32Array): void {
  const base = offset / 4;
  for (let n = 0; n < batch; n++) {
    const row = n * width;
    for (let f = 0; f < width; f++) to[row + f] = from[base + f * padded + n]!;
  }
}

function patternAttr(attrs: tf.NamedAttrMap | undefined): SparsePattern {
  const pattern = attrs?.['pattern'] as unknown as SparsePattern | undefined;
  if (pattern === undefined) throw new Error('a sparse linear kernel needs its pattern');
  return pattern;
}

/**
 * The product over the pattern as a new [batch, dstWidth] tensor: axpy, dst row `to[k]` += w[k] · src
 * row `from[k]`, forward (x·W: src x, dst y) or backward (dy·Wᵀ: src dy, dst dx).
 */
function productOverPattern(
  backend: BackendWasm, pattern: SparsePattern, w: tf.TensorInfo, src: tf.TensorInfo, srcWidth: number, dstWidth: number,
  forward: boolean,
): tf.TensorInfo {
  const batch = src.shape[0]!;
  const nnz = pattern.rows.length;
  const { memory, at } = layout(nnz, batch, srcWidth, dstWidth);
  const f32 = new Float32Array(memory.memory.buffer);
  const i32 = new Int32Array(memory.memory.buffer);
  i32.set(forward ? pattern.rows : pattern.cols, at.srcRow / 4);
  i32.set(forward ? pattern.cols : pattern.rows, at.dstRow / 4);
  const weights = floats(backend, w);
  const values = at.values / 4;
  for (let k = 0; k < nnz; k++) f32[values + k] = weights[pattern.rows[k]! * pattern.outputs + pattern.cols[k]!]!;
  writeTransposed(floats(backend, src), batch, srcWidth, f32, at.src, at.padded);
  memory.axpy(nnz, at.srcRow, at.dstRow, at.values, at.src, at.dst, at.rowBytes);
  const out = backend.makeOutput([batch, dstWidth], 'float32');
  readTransposed(f32, at.dst, at.padded, batch, dstWidth, floats(backend, out));
  return out;
}

/** x·W (+ b) over the pattern: inputs x [n, in], w [in, out], optional b [out]. */
function sparseLinearForward({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const wasm = backend as BackendWasm;
  const { x, w, b } = inputs;
  if (x === undefined || w === undefined) throw new Error('linear needs x and w');
  const pattern = patternAttr(attrs);
  const y = productOverPattern(wasm, pattern, w, x, pattern.inputs, pattern.outputs, true);
  if (b === undefined) return y;
  const withBias = callWasmKernel(wasm, tf.Add, { a: y, b });
  release(wasm, y);
  return withBias;
}

/** dy·Wᵀ over the pattern: inputs dy [n, out], w [in, out]. */
function sparseLinearInputGrad({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy, w } = inputs;
  if (dy === undefined || w === undefined) throw new Error('the input gradient needs dy and w');
  const pattern = patternAttr(attrs);
  return productOverPattern(backend as BackendWasm, pattern, w, dy, pattern.outputs, pattern.inputs, false);
}

/** xᵀ·dy at the pattern's nonzeros, zero elsewhere: inputs x [n, in], dy [n, out]. */
function sparseLinearWeightGrad({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const wasm = backend as BackendWasm;
  const { x, dy } = inputs;
  if (x === undefined || dy === undefined) throw new Error('the weight gradient needs x and dy');
  const pattern = patternAttr(attrs);
  const batch = x.shape[0]!;
  const nnz = pattern.rows.length;
  const { memory, at } = layout(nnz, batch, pattern.inputs, pattern.outputs);
  const f32 = new Float32Array(memory.memory.buffer);
  const i32 = new Int32Array(memory.memory.buffer);
  i32.set(pattern.rows, at.srcRow / 4);
  i32.set(pattern.cols, at.dstRow / 4);
  writeTransposed(floats(wasm, x), batch, pattern.inputs, f32, at.src, at.padded);
  writeTransposed(floats(wasm, dy), batch, pattern.outputs, f32, at.dst, at.padded);
  memory.dots(nnz, at.srcRow, at.dstRow, at.values, at.src, at.dst, at.rowBytes);
  const dw = wasm.makeOutput([pattern.inputs, pattern.outputs], 'float32');
  const out = floats(wasm, dw);
  out.fill(0);
  const values = at.values / 4;
  for (let k = 0; k < nnz; k++) out[pattern.rows[k]! * pattern.outputs + pattern.cols[k]!] = f32[values + k]!;
  return dw;
}

export const sparseLinearKernels: readonly tf.KernelConfig[] = [
  { kernelName: SPARSE_LINEAR, backendName: 'wasm', kernelFunc: sparseLinearForward },
  { kernelName: SPARSE_LINEAR_INPUT_GRAD, backendName: 'wasm', kernelFunc: sparseLinearInputGrad },
  { kernelName: SPARSE_LINEAR_WEIGHT_GRAD, backendName: 'wasm', kernelFunc: sparseLinearWeightGrad },
];
