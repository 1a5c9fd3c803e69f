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
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { assertChannelsLast, callWasmKernel, heapView, release } from '../../../core/wasm-kernel-calls.ts';

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

/** Phase (a, b) of the padded NHWC input, channels-first on the grid: [Cin, N·Hq·Wq]. */
function writePhase(g: Geometry, xs: Float32Array, out: Float32Array, a: number, b: number): void {
  const plane = g.batch * g.gridH * g.gridW;
  const cin = g.inChannels;
  out.fill(0);
  for (let n = 0; n < g.batch; n++) {
    for (let i = 0; i < g.gridH; i++) {
      const y = i * g.strideH + a - g.padTop;
      if (y < 0 || y >= g.inHeight) continue;
      const rowIn = (n * g.inHeight + y) * g.inWidth;
      const rowOut = (n * g.gridH + i) * g.gridW;
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

/** dy [N, Ho, Wo, Cout] on the grid, first `span` rows: [span, Cout], zero off the output pixels. */
function writeGridGradient(g: Geometry, dys: Float32Array, out: Float32Array): void {
  const cout = g.outChannels;
  out.fill(0);
  for (let n = 0; n < g.batch; n++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      const from = ((n * g.outHeight + oy) * g.outWidth) * cout;
      const to = ((n * g.gridH + oy) * g.gridW) * cout;
      out.set(dys.subarray(from, from + g.outWidth * cout), to);
    }
  }
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
  const { inChannels: cin, outChannels: cout, span } = g;
  const plane = g.batch * g.gridH * g.gridW;

  const dw = backend.makeOutput([g.kernelH, g.kernelW, cin, cout], 'float32');
  const gridDy = backend.makeOutput([span, cout], 'float32');
  // Only the phases some tap reads (a 1×1 kernel with stride 2 reads one of four).
  const phases = new Map<string, tf.TensorInfo>();
  for (let kh = 0; kh < g.kernelH; kh++) {
    for (let kw = 0; kw < g.kernelW; kw++) {
      const key = `${kh % g.strideH},${kw % g.strideW}`;
      if (!phases.has(key)) phases.set(key, backend.makeOutput([cin, plane], 'float32'));
    }
  }
  // Views taken after the allocations above, which may have grown (and detached) the heap.
  writeGridGradient(g, floats(backend, dy), floats(backend, gridDy));
  for (const [key, phase] of phases) {
    const [a, b] = key.split(',').map(Number) as [number, number];
    writePhase(g, floats(backend, x), floats(backend, phase), a, b);
  }

  // dW = Σ over chunks of grid positions of Aᵀ_chunk · dy_chunk. One product per chunk (not per
  // tap) keeps the product's rows many (taps·Cin: 27 for an RGB input instead of 3), and the chunk
  // keeps its depth short: XNNPACK does not split the inner dimension, so a product as deep as the
  // whole grid streams operands far larger than the caches.
  const rows = g.kernelH * g.kernelW * cin;
  const depth = chunkDepth(rows, span);
  const taps = tapSources(g, phases);
  const sum = new Float32Array(rows * cout);
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
    const values = floats(backend, part);
    for (let i = 0; i < values.length; i++) sum[i]! += values[i]!;
    release(backend, a, b, part);
  }
  // Taps in (kh, kw) order, then Cin, then Cout: exactly the HWIO layout.
  floats(backend, dw).set(sum);
  release(backend, gridDy, ...phases.values());
  return dw;
}

export const conv2dBackpropFilterKernel: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilterWasm,
};
