// dL/dx of a stride-1 conv with a short patch (kh·kw·cin floats) on the wasm backend, through the
// column matrix (one patch per output pixel), which costs exactly the useful multiply-adds:
// cols = dy · Wᵀ ([pixels, cout] · [cout, patch], one XNNPACK product that packs only the small Wᵀ),
// then each pixel's patch is added back into dx where the forward pass read it. Runs of kw·cin floats
// sit side by side in an NHWC image and in a patch, so core's run-add-simd.ts adds them as SIMD runs. The
// column matrix is built in slices of rows (16 MB each).
//
// The general path (ops.ts's conv2dInputGradient) convolves the zero-padded dy with the rotated
// kernel: for LeNet-5's second conv (6 ← 16 channels, 5×5, 'valid') twice the useful work, at channel
// counts XNNPACK's conv handles poorly: 1.5 ms a step (rotating the kernel included), here 0.9 ms.
// Winograd convs (winograd-conv.ts) and long patches keep their own paths.
//
// Measured and not kept: the weight gradient the same way (the input's patches as columns, then
// colsᵀ · dy by core's transposed-product loop) lost to runtime/backends' grid loop, which reads the
// input planes in place: LeNet-5's first conv 2.0 vs 1.4 ms, Conv-2's first 33 vs 14–17 ms; the
// loop is slow when each position's row of A is a strided read.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callWasmKernel, KernelScratch } from '../../../core/wasm-kernel-calls.ts';
import { runAddLoop } from '../../../core/run-add-simd.ts';
import { ShapeTables } from '../../../core/shape-tables.ts';

export const CONV_INPUT_GRAD_COLUMNS = 'LtxConv2DInputGradColumns';

/** Patch floats (kh·kw·cin) up to which the input gradient goes through a column matrix. */
export const COLUMN_PATCH_MAX = 256;
/** Floats of the column matrix per slice of rows (16 MB). */
const SLICE_FLOATS = 1 << 22;

/** Whether a conv's input gradient runs through a column matrix: stride 1 and a short patch. */
export function runsInputGradientByColumns(wShape: readonly number[], stride: number): boolean {
  const [kh, kw, cin] = wShape as [number, number, number, number];
  return stride === 1 && kh * kw * cin <= COLUMN_PATCH_MAX;
}

export interface ColumnsAttrs {
  padTop: number;
  padLeft: number;
  inHeight: number;
  inWidth: number;
}

const sliceRowsOf = (patch: number) => Math.max(1, Math.floor(SLICE_FLOATS / patch));

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: {};
  attrs?: tf.NamedAttrMap;
}

/** dx [n, inHeight, inWidth, cin] from dy [n, oh, ow, cout] and w [kh, kw, cin, cout]. */
function inputGradientByColumns({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy, w } = inputs as { dy: tf.TensorInfo; w: tf.TensorInfo };
  const { padTop, padLeft, inHeight, inWidth } = attrs as unknown as ColumnsAttrs;
  const [kh, kw, cin, cout] = w.shape as [number, number, number, number];
  const [batch, outHeight, outWidth] = dy.shape as [number, number, number, number];
  const patch = kh * kw * cin;
  const pixels = batch * outHeight * outWidth;
  const sliceRows = sliceRowsOf(patch);
  const s = new KernelScratch(backend as BackendWasm);
  try {
    const wMatrix = s.track(callWasmKernel(s.backend, tf.Reshape, { x: w }, { shape: [patch, cout] }));
    const wT = s.track(callWasmKernel(s.backend, tf.Transpose, { x: wMatrix }, { perm: [1, 0] }));
    const dyMatrix = s.track(callWasmKernel(s.backend, tf.Reshape, { x: dy }, { shape: [pixels, cout] }));
    const dx = s.make([batch, inHeight, inWidth, cin]);
    s.zero(dx);
    for (let first = 0; first < pixels; first += sliceRows) {
      const rows = Math.min(sliceRows, pixels - first);
      const dySlice = rows === pixels ? dyMatrix : s.track(callWasmKernel(s.backend, tf.Slice, { x: dyMatrix }, { begin: [first, 0], size: [rows, cout] }));
      const cols = s.track(callWasmKernel(s.backend, tf.BatchMatMul, { a: dySlice, b: wT }, { transposeA: false, transposeB: false }));
      const runs = runsOf(first, rows, { kh, kw, cin, outHeight, outWidth, inHeight, inWidth, padTop, padLeft });
      const table = s.make([runs.length], 'int32');
      s.ints(table).set(runs);
      runAddLoop(s.memory)(s.address(table), runs.length / 3, s.address(dx), s.address(cols));
      s.drop(table, cols, ...(dySlice === dyMatrix ? [] : [dySlice]));
    }
    return s.keep(dx);
  } finally {
    s.releaseAll();
  }
}

interface RunGeometry {
  kh: number;
  kw: number;
  cin: number;
  outHeight: number;
  outWidth: number;
  inHeight: number;
  inWidth: number;
  padTop: number;
  padLeft: number;
}

/** Run tables by geometry and slice (one per slice of each conv a step differentiates). */
const knownRuns = new ShapeTables(64);

const runsOf = (first: number, rows: number, g: RunGeometry): Int32Array =>
  knownRuns.get(`${first},${rows},${Object.values(g).join(',')}`, () => computeRuns(first, rows, g));

/**
 * The runs of output pixels [first, first + rows), as byte offsets into dx and the slice's cols: for
 * each pixel and kernel row, the patch floats (from its kernel row's first in-image column) added to
 * the image row it read, clipped to the image.
 */
function computeRuns(first: number, rows: number, g: RunGeometry): Int32Array {
  const table = new Int32Array(rows * g.kh * 3);
  const patchBytes = g.kh * g.kw * g.cin * 4;
  const pixelBytes = g.cin * 4;
  let k = 0;
  for (let p = first; p < first + rows; p++) {
    const ox = p % g.outWidth;
    const oy = Math.floor(p / g.outWidth) % g.outHeight;
    const n = Math.floor(p / (g.outWidth * g.outHeight));
    const x0 = ox - g.padLeft;
    const kwFrom = Math.max(0, -x0);
    const kwTo = Math.min(g.kw, g.inWidth - x0);
    if (kwTo <= kwFrom) continue;
    for (let i = 0; i < g.kh; i++) {
      const y = oy - g.padTop + i;
      if (y < 0 || y >= g.inHeight) continue;
      table[k++] = ((n * g.inHeight + y) * g.inWidth + x0 + kwFrom) * pixelBytes;
      table[k++] = (p - first) * patchBytes + (i * g.kw + kwFrom) * pixelBytes;
      table[k++] = (kwTo - kwFrom) * g.cin;
    }
  }
  return table.subarray(0, k);
}

export const convInputGradientKernel: tf.KernelConfig = {
  kernelName: CONV_INPUT_GRAD_COLUMNS,
  backendName: 'wasm',
  kernelFunc: inputGradientByColumns as tf.KernelFunc,
};
