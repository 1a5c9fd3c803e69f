// Conv2DBackpropFilter for the wasm backend, which ships none (tfjs 4.22).
//
// dW[kh, kw] (a [Cin, Cout] block of the HWIO filter) = Σ over output pixels p of
// x[pixel that tap (kh, kw) saw for p]ᵀ · dy[p]. Stacking the taps gives one im2col-style product,
// dW as [taps·Cin, Cout] = Aᵀ · dy with A the [pixels, taps·Cin] patch matrix, computed as plain
// matMuls (the wasm backend's matMul with transpose flags is ~8× slower) over chunks of pixels.
//
// The patch rows come almost for free from one layout trick. Split the zero-padded input by stride
// phase (row mod sh, col mod sw); each phase is a stride-1 grid of Hq×Wq pixels in which the output
// pixel (oy, ox) sees, for tap (kh, kw), the pixel (oy + kh÷sh, ox + kw÷sw). Store a phase
// channels-first and flattened, [Cin, N·Hq·Wq], and lay dy out on the same grid ([N·Hq·Wq, Cout],
// zero where no output pixel sits): then row (tap, c) of Aᵀ is a window of phase channel c, shifted
// by (kh÷sh)·Wq + kw÷sw, one memcpy per row and chunk. The grid is sized so that no shifted read
// wraps into the next row or image. The products also sum over the zero rows of the grid (≈ +13%
// work for 3×3 'same' convs at 32×32), far less than what slicing costs.
//
// The products run one of two ways, with the same bits (test/backends/conv-filter.test.ts): a SIMD
// loop of ltx's own (core/transposed-product-simd.ts) that reads the phases in place, or XNNPACK matMuls of each
// chunk's copied Aᵀ. The loop wins on one thread at every shape measured (LeNet-5's few channels
// most: 2–3× faster); XNNPACK's products win big layers once it has a second thread.
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, type BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { assertChannelsLast, backendMemory, callWasmKernel, heapView, release, zeroData } from '../../../core/wasm-kernel-calls.ts';
import type { Memory } from '../../../core/wasm-bytes.ts';
import { hasHelpers, piecesFor, runLoopCalls, splitRanges } from '../../../core/loop-threads.ts';
import { runAddLoop } from '../../../core/run-add-simd.ts';
import { ShapeTables } from '../../../core/shape-tables.ts';
import { TRANSPOSED_PRODUCT } from '../../../core/transposed-product-simd.ts';
import { addInto } from './leading-sum.ts';

/** How the products are computed; the same bits either way. */
export type FilterProducts = 'simd' | 'xnnpack';

/**
 * Multiply-adds above which XNNPACK's products win once they have a second thread and the SIMD loop
 * has none (no loop helper threads: core/loop-threads.ts). Measured per layer at batch 60, CPU ms, SIMD loop against XNNPACK: on one thread LeNet-5's
 * 1→6 1.5 vs 3.1, 6→16 1.8–2.6 vs 3.9–5.3, Conv-2's 3→64 12.3 vs 26.9, 64→64 166 vs 202, Conv-4's
 * 64→128 94 vs 109; on two threads the last two 166 vs 148 and 93 vs 69 (~1.4–2.6 G multiply-adds),
 * 3→64 (0.12 G) 14 vs 27.
 */
const THREADED_XNNPACK_FROM = 500e6;

let forcedProducts: FilterProducts | undefined;

/** Makes every call compute the products one way (tests compare the two); undefined: the measured rule. */
export function forceFilterProducts(products: FilterProducts | undefined): void {
  forcedProducts = products;
}

function productsFor(g: Geometry, rows: number, memory: Memory): FilterProducts {
  if (forcedProducts !== undefined) return forcedProducts;
  const multiplyAdds = rows * g.outChannels * g.span;
  return getThreadsCount() > 1 && !hasHelpers(memory) && multiplyAdds >= THREADED_XNNPACK_FROM ? 'xnnpack' : 'simd';
}

interface Geometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  strideH: number;
  strideW: number;
  kernelH: number;
  kernelW: number;
  padTop: number;
  padLeft: number;
  /** Phase grid: output pixels plus the largest tap shift. */
  gridH: number;
  gridW: number;
  /** Grid positions a tap reads after its shift (all positions minus the largest shift). */
  span: number;
}

function geometryOf(xShape: number[], attrs: tf.Conv2DBackpropFilterAttrs): Geometry {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const maxShiftH = Math.floor((info.filterHeight - 1) / info.strideHeight);
  const maxShiftW = Math.floor((info.filterWidth - 1) / info.strideWidth);
  const gridH = info.outHeight + maxShiftH;
  const gridW = info.outWidth + maxShiftW;
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    kernelH: info.filterHeight,
    kernelW: info.filterWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    gridH,
    gridW,
    span: info.batchSize * gridH * gridW - (maxShiftH * gridW + maxShiftW),
  };
}

/** Whether the phase grid is the image itself ('valid' at stride 1): every grid position holds a pixel. */
const phaseIsImage = (g: Geometry) =>
  g.strideH === 1 && g.strideW === 1 && g.padTop === 0 && g.padLeft === 0 && g.gridH === g.inHeight && g.gridW === g.inWidth;

/**
 * Phase (a, b) of the padded NHWC input, channels-first on the grid ([Cin, N·Hq·Wq]), into `out`,
 * zeroed by the caller unless the phase is the image (phaseIsImage).
 */
function writePhase(g: Geometry, xs: Float32Array, out: Float32Array, a: number, b: number): void {
  const plane = g.batch * g.gridH * g.gridW;
  const cin = g.inChannels;
  if (phaseIsImage(g)) {
    // The grid is the image ('valid' at stride 1): a plain transpose, one channel plane at a time.
    for (let c = 0; c < cin; c++) {
      const base = c * plane;
      for (let p = 0, from = c; p < plane; p++, from += cin) out[base + p] = xs[from]!;
    }
    return;
  }
  for (let n = 0; n < g.batch; n++) {
    for (let i = 0; i < g.gridH; i++) {
      const y = i * g.strideH + a - g.padTop;
      if (y < 0 || y >= g.inHeight) continue;
      const rowIn = (n * g.inHeight + y) * g.inWidth;
      const rowOut = (n * g.gridH + i) * g.gridW;
      if (cin === 1 && g.strideW === 1) {
        // One channel at stride 1: the row's pixels are contiguous in both, one copy.
        const first = Math.max(0, g.padLeft - b);
        const last = Math.min(g.gridW, g.inWidth + g.padLeft - b);
        if (last > first) out.set(xs.subarray(rowIn + first + b - g.padLeft, rowIn + last + b - g.padLeft), rowOut + first);
        continue;
      }
      for (let j = 0; j < g.gridW; j++) {
        const x = j * g.strideW + b - g.padLeft;
        if (x < 0 || x >= g.inWidth) continue;
        const from = (rowIn + x) * cin;
        const to = rowOut + j;
        for (let c = 0; c < cin; c++) out[c * plane + to] = xs[from + c]!;
      }
    }
  }
}

/**
 * dy [N, Ho, Wo, Cout] on the grid, first `span` rows: [span, cols], zero off the output pixels and in
 * the columns past Cout (cols ≥ Cout). Rows of whole output rows are copied as they are; pixels whose
 * rows get padded columns are copied by core's SIMD run loop (LeNet-5's first conv: 282K floats,
 * 0.5 ms a step element by element in JavaScript).
 */
function writeGridGradient(g: Geometry, backend: BackendWasm, memory: Memory | undefined, dy: tf.TensorInfo, out: tf.TensorInfo, cols = g.outChannels): void {
  const cout = g.outChannels;
  zeroData(backend, out);
  const [dys, grid] = [floats(backend, dy), floats(backend, out)];
  if (cols !== cout && memory !== undefined) {
    const runs = pixelRunsOf(g, cols);
    const table = backend.makeOutput([runs.length], 'int32');
    (heapView(backend, table) as Int32Array).set(runs);
    runAddLoop(memory)(heapView(backend, table).byteOffset, runs.length / 3, floats(backend, out).byteOffset, floats(backend, dy).byteOffset);
    backend.disposeData(table.dataId);
    return;
  }
  for (let n = 0; n < g.batch; n++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      const from = ((n * g.outHeight + oy) * g.outWidth) * cout;
      const to = ((n * g.gridH + oy) * g.gridW) * cols;
      if (cols === cout) grid.set(dys.subarray(from, from + g.outWidth * cout), to);
      else {
        for (let ox = 0; ox < g.outWidth; ox++) {
          for (let c = 0; c < cout; c++) grid[to + ox * cols + c] = dys[from + ox * cout + c]!;
        }
      }
    }
  }
}

/** Index tables by geometry: the grid gradient's runs and the output rows' segments. */
const shapeTables = new ShapeTables(32);

/** Runs (grid offset, dy offset, Cout floats) copying each output pixel's dy into its padded grid row. */
const pixelRunsOf = (g: Geometry, cols: number): Int32Array =>
  shapeTables.get(`runs,${g.batch},${g.outHeight},${g.outWidth},${g.gridH},${g.gridW},${g.outChannels},${cols}`, () => pixelRuns(g, cols));

function pixelRuns(g: Geometry, cols: number): Int32Array {
  const runs = new Int32Array(3 * g.batch * g.outHeight * g.outWidth);
  let k = 0;
  for (let n = 0; n < g.batch; n++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++) {
        runs[k++] = 4 * ((n * g.gridH + oy) * g.gridW + ox) * cols;
        runs[k++] = 4 * ((n * g.outHeight + oy) * g.outWidth + ox) * g.outChannels;
        runs[k++] = g.outChannels;
      }
    }
  }
  return runs;
}

function floats(backend: BackendWasm, info: tf.TensorInfo): Float32Array {
  const view = heapView(backend, info);
  if (!(view instanceof Float32Array)) throw new Error(`Conv2DBackpropFilter on wasm needs float32, got ${info.dtype}`);
  return view;
}

// Grid positions per product. Measured in CPU time on one thread (the machine was shared): a
// 128K-float Aᵀ chunk (512 KB), at least 512 deep, took Conv-2's 64→64 layer from 329 ms (one
// product per tap over the whole grid) to ~215 ms and its 3→64 layer from 70 to 29 ms; 32K-float
// chunks were ~10% slower, 512K-float ones no faster.
const CHUNK_FLOATS = 128 * 1024;
const MIN_DEPTH = 512;
const MAX_DEPTH = 4096;

function chunkDepth(rows: number, span: number): number {
  const fitting = Math.floor(CHUNK_FLOATS / rows);
  return Math.min(span, Math.max(MIN_DEPTH, Math.min(MAX_DEPTH, fitting)));
}

/** Per tap in (kh, kw) order, the phase it reads and its shift on the grid. */
function tapSources(g: Geometry, phases: Map<string, tf.TensorInfo>): { phase: tf.TensorInfo; shift: number }[] {
  const taps: { phase: tf.TensorInfo; shift: number }[] = [];
  for (let kh = 0; kh < g.kernelH; kh++) {
    for (let kw = 0; kw < g.kernelW; kw++) {
      taps.push({
        phase: phases.get(`${kh % g.strideH},${kw % g.strideW}`)!,
        shift: Math.floor(kh / g.strideH) * g.gridW + Math.floor(kw / g.strideW),
      });
    }
  }
  return taps;
}

function conv2dBackpropFilterWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: {};
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x, dy } = args.inputs;
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (x === undefined || dy === undefined) throw new Error('Conv2DBackpropFilter needs x and dy');
  assertChannelsLast(tf.Conv2DBackpropFilter, attrs.dataFormat);
  const g = geometryOf(x.shape, attrs);
  const dw = backend.makeOutput([g.kernelH, g.kernelW, g.inChannels, g.outChannels], 'float32');
  const rows = g.kernelH * g.kernelW * g.inChannels;
  const memory = backendMemory(backend);
  if (memory !== undefined && productsFor(g, rows, memory) === 'simd') simdProducts(backend, memory, g, x, dy, dw, rows);
  else xnnpackProducts(backend, memory, g, x, dy, dw, rows);
  return dw;
}

/**
 * dW = Σ over chunks of grid positions of Aᵀ_chunk · dy_chunk as XNNPACK matMuls, each chunk's Aᵀ
 * copied out of the phases. One product per chunk (not per tap) keeps the product's rows many
 * (taps·Cin: 27 for an RGB input instead of 3), and the chunk keeps its depth short: XNNPACK does
 * not split the inner dimension, so a product as deep as the whole grid streams operands far larger
 * than the caches.
 */
function xnnpackProducts(backend: BackendWasm, memory: Memory | undefined, g: Geometry, x: tf.TensorInfo, dy: tf.TensorInfo, dw: tf.TensorInfo, rows: number): void {
  const { inChannels: cin, outChannels: cout, span } = g;
  const plane = g.batch * g.gridH * g.gridW;
  const gridDy = backend.makeOutput([span, cout], 'float32');
  const phases = writtenPhases(backend, g, x);
  // Views taken after the allocations above, which may have grown (and detached) the heap.
  writeGridGradient(g, backend, memory, dy, gridDy);
  zeroData(backend, dw);
  const depth = chunkDepth(rows, span);
  const taps = tapSources(g, phases);
  for (let from = 0; from < span; from += depth) {
    const size = Math.min(depth, span - from);
    const a = backend.makeOutput([rows, size], 'float32');
    // A fresh right operand each chunk: the wasm matMul caches its packed copy by tensor id.
    const b = backend.makeOutput([size, cout], 'float32');
    floats(backend, b).set(floats(backend, gridDy).subarray(from * cout, (from + size) * cout));
    const target = floats(backend, a);
    taps.forEach(({ phase, shift }, t) => {
      const source = floats(backend, phase);
      for (let c = 0; c < cin; c++) {
        const start = c * plane + shift + from;
        target.set(source.subarray(start, start + size), (t * cin + c) * size);
      }
    });
    const part = callWasmKernel(backend, tf.BatchMatMul, { a, b }, { transposeA: false, transposeB: false });
    // The chunks' products add up in dW itself: taps in (kh, kw) order, then Cin, then Cout, exactly the HWIO layout.
    const [values, total] = [floats(backend, part), floats(backend, dw)];
    if (memory !== undefined) addInto(memory, values.byteOffset, total.byteOffset, values.length);
    else for (let i = 0; i < values.length; i++) total[i]! += values[i]!;
    release(backend, a, b, part);
  }
  release(backend, gridDy, ...phases.values());
}

/** The phases (stride offsets) some tap reads, each [Cin, N·Hq·Wq] on the backend, written from x. */
function writtenPhases(backend: BackendWasm, g: Geometry, x: tf.TensorInfo): Map<string, tf.TensorInfo> {
  const plane = g.batch * g.gridH * g.gridW;
  const phases = new Map<string, tf.TensorInfo>();
  for (let kh = 0; kh < g.kernelH; kh++) {
    for (let kw = 0; kw < g.kernelW; kw++) {
      const key = `${kh % g.strideH},${kw % g.strideW}`;
      if (!phases.has(key)) phases.set(key, backend.makeOutput([g.inChannels, plane], 'float32'));
    }
  }
  for (const [key, phase] of phases) {
    const [a, b] = key.split(',').map(Number) as [number, number];
    if (!phaseIsImage(g)) zeroData(backend, phase);
    writePhase(g, floats(backend, x), floats(backend, phase), a, b);
  }
  return phases;
}

/**
 * The products as one SIMD loop (core/transposed-product-simd.ts) reading the phases in place: the same sums in
 * the same order as the XNNPACK products, so the same bits, without copying each chunk's Aᵀ, packing
 * its dy or adding its product in JavaScript. Its rows are spread over the loop threads.
 */
function simdProducts(backend: BackendWasm, memory: Memory, g: Geometry, x: tf.TensorInfo, dy: tf.TensorInfo, dw: tf.TensorInfo, rows: number): void {
  const { inChannels: cin, outChannels: cout, span } = g;
  const depth = chunkDepth(rows, span);
  const cols = Math.ceil(cout / 4) * 4;
  const plane = g.batch * g.gridH * g.gridW;
  const gridDy = backend.makeOutput([span, cols], 'float32');
  const phases = writtenPhases(backend, g, x);
  const rowBase = backend.makeOutput([rows], 'int32');
  const total = backend.makeOutput([rows, cols], 'float32');
  const outputRows = outputSegmentsOf(g);
  const segments = backend.makeOutput([outputRows.length], 'int32');
  // Views and addresses after every allocation: an allocation may grow the heap.
  (heapView(backend, segments) as Int32Array).set(outputRows);
  writeGridGradient(g, backend, memory, dy, gridDy, cols);
  const bases = heapView(backend, rowBase) as Int32Array;
  tapSources(g, phases).forEach(({ phase, shift }, t) => {
    const start = floats(backend, phase).byteOffset + 4 * shift;
    for (let c = 0; c < cin; c++) bases[t * cin + c] = start + 4 * c * plane;
  });
  zeroData(backend, total);
  const sums = floats(backend, total);
  // Rows split over the loop threads (each row's sums stay on one thread: the same bits).
  const dyAddress = floats(backend, gridDy).byteOffset;
  const segmentsAddress = heapView(backend, segments).byteOffset;
  const work = rows * cols * g.batch * g.outHeight * g.outWidth;
  const calls = splitRanges(rows, piecesFor(memory, work), 4).map(([from, to]) => [
    bases.byteOffset + 4 * from, to - from, dyAddress, cols, sums.byteOffset + 4 * from * cols, span, depth, 4, segmentsAddress, outputRows.length / 2,
  ]);
  runLoopCalls(memory, TRANSPOSED_PRODUCT, 'product', calls, work);
  const out = floats(backend, dw);
  const values = floats(backend, total);
  if (cols === cout) out.set(values);
  else for (let r = 0; r < rows; r++) out.set(values.subarray(r * cols, r * cols + cout), r * cout);
  release(backend, gridDy, rowBase, total, segments, ...phases.values());
}

/**
 * [start, end) of the grid positions of each row of output pixels (the first outWidth positions of
 * the grid's first outHeight rows of each image), within the span: the loop skips the rest, where dy
 * is zero. A 'valid' 5×5 conv at 14×14 (LeNet-5's second) has 100 output pixels in a 196-position grid.
 */
const outputSegmentsOf = (g: Geometry): Int32Array =>
  shapeTables.get(`segments,${g.batch},${g.gridH},${g.gridW},${g.outHeight},${g.outWidth},${g.span}`, () => outputSegments(g));

function outputSegments(g: Geometry): Int32Array {
  const pairs: number[] = [];
  for (let n = 0; n < g.batch; n++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      const start = (n * g.gridH + oy) * g.gridW;
      const end = Math.min(start + g.outWidth, g.span);
      if (end > start) pairs.push(start, end);
    }
  }
  return Int32Array.from(pairs);
}

export const conv2dBackpropFilterKernel: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilterWasm,
};
