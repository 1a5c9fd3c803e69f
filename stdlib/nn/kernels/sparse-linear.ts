// A dense layer whose weight matrix has a fixed sparsity pattern (a pruning mask), computed over the
// pattern's nonzeros only, on the wasm backend: forward x·W, input gradient dy·Wᵀ and the weight
// gradient xᵀ·dy at the nonzeros (zero elsewhere). The weights come either as the dense [in, out]
// matrix or compact: the nonzeros alone, [nnz] in row-major order (`compact` in the attributes), whose
// weight gradient is then compact too. Activations are transposed to one row per
// feature, the batch along the row (padded to a multiple of 4 floats), so that each nonzero is one
// SIMD loop over the batch (sparse-simd.ts). Everything stays on the backend's heap: the loops read
// the weights and write the gradient in place, the pattern's index tables are uploaded once per
// pattern, and the transposes are the backend's own Transpose kernel.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { backendMemory, callWasmKernel, heapView, release } from '../../../core/wasm-kernel-calls.ts';
import { MAX_GATHER_WIDTH, sparseLoops, type SparseLoops } from './sparse-simd.ts';

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

/**
 * The pattern grouped by one of its sides, as element offsets into one int32 table: for each row of
 * that side, `ptr` delimits its nonzeros (in ascending order of the other side), `idx` is each
 * nonzero's index on the other side, `flat` its element index in the dense [inputs, outputs]
 * matrix and `ordinal` its index among the nonzeros in row-major order (in compact weights).
 */
interface Grouping {
  rows: number;
  ptr: number;
  idx: number;
  flat: number;
  ordinal: number;
}

/** By output column (the forward's sums) and by input row (the input gradient's and the weight gradient's). */
interface Tables {
  byColumn: Grouping;
  byRow: Grouping;
}

/** The tables, and the int32 values they index (uploaded to the heap, then dropped). */
function tablesOf(pattern: SparsePattern): Tables & { values: Int32Array } {
  const { inputs, outputs, rows, cols } = pattern;
  const nnz = rows.length;
  const values = new Int32Array(inputs + outputs + 2 + 6 * nnz);
  const grouping = (rows: number, at: number): Grouping => ({ rows, ptr: at, idx: at + rows + 1, flat: at + rows + 1 + nnz, ordinal: at + rows + 1 + 2 * nnz });
  const byRow = grouping(inputs, 0);
  const byColumn = grouping(outputs, byRow.ordinal + nnz);
  // Row-major order is already grouped by row, ascending in column.
  for (let k = 0; k < nnz; k++) {
    values[byRow.ptr + rows[k]! + 1]!++;
    values[byColumn.ptr + cols[k]! + 1]!++;
    values[byRow.idx + k] = cols[k]!;
    values[byRow.flat + k] = rows[k]! * outputs + cols[k]!;
    values[byRow.ordinal + k] = k;
  }
  for (let r = 0; r < inputs; r++) values[byRow.ptr + r + 1]! += values[byRow.ptr + r]!;
  for (let c = 0; c < outputs; c++) values[byColumn.ptr + c + 1]! += values[byColumn.ptr + c]!;
  // Filling columns in row-major order keeps each column ascending in row.
  const next = values.slice(byColumn.ptr, byColumn.ptr + outputs);
  for (let k = 0; k < nnz; k++) {
    const at = next[cols[k]!]!++;
    values[byColumn.idx + at] = rows[k]!;
    values[byColumn.flat + at] = rows[k]! * outputs + cols[k]!;
    values[byColumn.ordinal + at] = k;
  }
  return { byColumn, byRow, values };
}

interface OnHeap {
  backend: BackendWasm;
  tables: Tables;
  info: tf.TensorInfo;
}

const uploaded = new WeakMap<SparsePattern, OnHeap>();
// The tables live as long as their pattern (a segment's): freed when the pattern is collected.
const freeTables = new FinalizationRegistry<{ backend: BackendWasm; dataId: object }>(({ backend, dataId }) => {
  try {
    backend.disposeData(dataId);
  } catch {
    // The backend is gone, and its heap with it.
  }
});

/** The pattern's tables on the backend's heap (uploaded on first use) and their byte address. */
function tablesOnHeap(backend: BackendWasm, pattern: SparsePattern): { tables: Tables; at: number } {
  let known = uploaded.get(pattern);
  if (known?.backend !== backend) {
    const { values, ...tables } = tablesOf(pattern);
    const info = backend.makeOutput([values.length], 'int32');
    (heapView(backend, info) as Int32Array).set(values);
    known = { backend, tables, info };
    uploaded.set(pattern, known);
    freeTables.register(pattern, { backend, dataId: info.dataId });
  }
  return { tables: known.tables, at: heapView(backend, known.info).byteOffset };
}

function loopsOf(backend: BackendWasm): SparseLoops {
  const memory = backendMemory(backend);
  if (memory === undefined) throw new Error('the wasm backend does not expose its memory');
  return sparseLoops(memory);
}

const paddedBatch = (batch: number) => Math.ceil(batch / 4) * 4;

/** [batch, width] → [width, padded]: one row per feature, the batch along it, zeros in the padding. */
function toRows(backend: BackendWasm, t: tf.TensorInfo, padded: number): tf.TensorInfo {
  const batch = t.shape[0]!;
  if (padded === batch) return callWasmKernel(backend, tf.Transpose, { x: t }, { perm: [1, 0] });
  const withPadding = callWasmKernel(backend, tf.PadV2, { x: t }, { paddings: [[0, padded - batch], [0, 0]], constantValue: 0 });
  const rows = callWasmKernel(backend, tf.Transpose, { x: withPadding }, { perm: [1, 0] });
  release(backend, withPadding);
  return rows;
}

/** [width, padded] → [batch, width], releasing the rows. */
function fromRows(backend: BackendWasm, rows: tf.TensorInfo, batch: number): tf.TensorInfo {
  const padded = rows.shape[1]!;
  const back = callWasmKernel(backend, tf.Transpose, { x: rows }, { perm: [1, 0] });
  release(backend, rows);
  if (padded === batch) return back;
  const out = callWasmKernel(backend, tf.Slice, { x: back }, { begin: [0, 0], size: [batch, rows.shape[0]!] });
  release(backend, back);
  return out;
}

function float32At(backend: BackendWasm, info: tf.TensorInfo): number {
  const view = heapView(backend, info);
  if (!(view instanceof Float32Array)) throw new Error(`sparse linear layers need float32, got ${info.dtype}`);
  return view.byteOffset;
}

/** The kernels' attributes: the pattern, and whether the weights are compact. */
export interface SparseLinearAttrs {
  pattern: SparsePattern;
  compact: boolean;
}

function attrsOf(attrs: tf.NamedAttrMap | undefined): SparseLinearAttrs {
  const pattern = attrs?.['pattern'] as unknown as SparsePattern | undefined;
  if (pattern === undefined) throw new Error('a sparse linear kernel needs its pattern');
  return { pattern, compact: attrs?.['compact'] === true };
}

/** Where a grouping's weights are: by dense element index, or by ordinal in compact weights. */
const weightIndex = (group: Grouping, compact: boolean) => (compact ? group.ordinal : group.flat);

/** The gather loops' widths, widest first: whole blocks of MAX_GATHER_WIDTH vectors, then one block of the rest. */
function gatherPasses(vectors: number): { width: number; from: number; to: number }[] {
  const whole = Math.floor(vectors / MAX_GATHER_WIDTH) * MAX_GATHER_WIDTH;
  const passes = whole > 0 ? [{ width: MAX_GATHER_WIDTH, from: 0, to: whole * 16 }] : [];
  if (vectors > whole) passes.push({ width: vectors - whole, from: whole * 16, to: vectors * 16 });
  return passes;
}

/**
 * The product over the pattern as a new [batch, ·] tensor: forward (x·W, summing each output column
 * over its nonzeros) or backward (dy·Wᵀ, summing each input row over its nonzeros).
 */
function productOverPattern(backend: BackendWasm, { pattern, compact }: SparseLinearAttrs, w: tf.TensorInfo, src: tf.TensorInfo, forward: boolean): tf.TensorInfo {
  const batch = src.shape[0]!;
  const padded = paddedBatch(batch);
  const srcRows = toRows(backend, src, padded);
  const dstWidth = forward ? pattern.outputs : pattern.inputs;
  const dstRows = backend.makeOutput([dstWidth, padded], 'float32');
  // Addresses after every allocation: an allocation may grow the heap (its offsets stay valid).
  const { tables, at } = tablesOnHeap(backend, pattern);
  const group = forward ? tables.byColumn : tables.byRow;
  const loops = loopsOf(backend);
  const [weights, from, to] = [float32At(backend, w), float32At(backend, srcRows), float32At(backend, dstRows)];
  for (const pass of gatherPasses(padded / 4)) {
    loops.gather(pass.width)(at + 4 * group.ptr, at + 4 * group.idx, at + 4 * weightIndex(group, compact), weights, from, to, group.rows, padded * 4, pass.from, pass.to);
  }
  release(backend, srcRows);
  return fromRows(backend, dstRows, batch);
}

/** x·W (+ b) over the pattern: inputs x [n, in], w [in, out], optional b [out]. */
function sparseLinearForward({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const wasm = backend as BackendWasm;
  const { x, w, b } = inputs;
  if (x === undefined || w === undefined) throw new Error('linear needs x and w');
  const y = productOverPattern(wasm, attrsOf(attrs), w, x, true);
  if (b === undefined) return y;
  const withBias = callWasmKernel(wasm, tf.Add, { a: y, b });
  release(wasm, y);
  return withBias;
}

/** dy·Wᵀ over the pattern: inputs dy [n, out], w [in, out]. */
function sparseLinearInputGrad({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy, w } = inputs;
  if (dy === undefined || w === undefined) throw new Error('the input gradient needs dy and w');
  return productOverPattern(backend as BackendWasm, attrsOf(attrs), w, dy, false);
}

/** xᵀ·dy at the pattern's nonzeros, zero elsewhere (or the nonzeros alone, compact): inputs x [n, in], dy [n, out]. */
function sparseLinearWeightGrad({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const wasm = backend as BackendWasm;
  const { x, dy } = inputs;
  if (x === undefined || dy === undefined) throw new Error('the weight gradient needs x and dy');
  const { pattern, compact } = attrsOf(attrs);
  const padded = paddedBatch(x.shape[0]!);
  const xRows = toRows(wasm, x, padded);
  const dyRows = toRows(wasm, dy, padded);
  const dw = wasm.makeOutput(compact ? [pattern.rows.length] : [pattern.inputs, pattern.outputs], 'float32');
  const { tables, at } = tablesOnHeap(wasm, pattern);
  // Compact, every element is a nonzero's and is written.
  if (!compact) (heapView(wasm, dw) as Float32Array).fill(0);
  const group = tables.byRow;
  loopsOf(wasm).dots(at + 4 * group.ptr, at + 4 * group.idx, at + 4 * weightIndex(group, compact), float32At(wasm, dw), float32At(wasm, xRows), float32At(wasm, dyRows), group.rows, padded * 4, 0, 0);
  release(wasm, xRows, dyRows);
  return dw;
}

export const sparseLinearKernels: readonly tf.KernelConfig[] = [
  { kernelName: SPARSE_LINEAR, backendName: 'wasm', kernelFunc: sparseLinearForward },
  { kernelName: SPARSE_LINEAR_INPUT_GRAD, backendName: 'wasm', kernelFunc: sparseLinearInputGrad },
  { kernelName: SPARSE_LINEAR_WEIGHT_GRAD, backendName: 'wasm', kernelFunc: sparseLinearWeightGrad },
];
