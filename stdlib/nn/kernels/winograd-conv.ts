// 3×3 stride-1 convolutions on the wasm backend by Winograd's F(4×4, 3×3) (Lavin & Gray 2016): a
// 4×4 block of output pixels costs 36 multiplies per channel pair instead of 144. The image is cut
// into 6×6 input tiles (overlapping by 2, stride 4), each tile and the filter are transformed
// (winograd-simd.ts), the 36 coordinates multiply as 36 independent matrix products over channels
// (XNNPACK's, two threads), and the products transform back to output tiles.
//
// The two gradients are the exact adjoints of that forward computation, so they are the gradients of
// what the forward pass computed (not of the direct convolution, which differs from it by rounding):
//   input:  dM = A·dy·Aᵀ per tile; dV_ξ = dM_ξ · U_ξᵀ; dx = Σ over tiles of B·dV·Bᵀ (overlap-added);
//   filter: dU_ξ = V_ξᵀ · dM_ξ (a sum over all tiles of the batch); dw = Gᵀ·dU·G.
// Numbers differ from the direct convolution by rounding (F(4×4, 3×3)'s transforms scale values by
// up to ~100 before the sums), well below what training notices (test/training/winograd.test.ts
// bounds it); they are the same on every run, since which path a layer takes is a rule of its shapes.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callWasmKernel, KernelScratch as Scratch } from '../../../core/wasm-kernel-calls.ts';
import { hasHelpers, piecesFor, runLoopCalls, splitRanges } from '../../../core/loop-threads.ts';
import { TRANSPOSED_PRODUCT } from '../../../core/transposed-product-simd.ts';
import { tileSizes, WINOGRAD_TRANSFORMS, type TransformName } from './winograd-simd.ts';

export const WINOGRAD_CONV = 'LtxWinogradConv2D';
export const WINOGRAD_CONV_INPUT_GRAD = 'LtxWinogradConv2DInputGrad';
export const WINOGRAD_CONV_FILTER_GRAD = 'LtxWinogradConv2DFilterGrad';

/** Winograd coordinates per tile. */
const POSITIONS = 36;
/** Output pixels per tile side, and input pixels per tile side. */
const OUT_TILE = 4;
const IN_TILE = 6;

/**
 * Floats of one pass's transformed planes (36 × tiles × channels) above which a conv keeps the direct
 * path: they live on the wasm heap beside the layer's tensors (Conv-6's largest pass holds 8.8M; a
 * batch of 224×224 images would want hundreds of millions).
 */
export const WINOGRAD_MAX_PLANE_FLOATS = 1 << 26;

/**
 * Whether a conv computes by Winograd on the wasm backend: a 3×3 kernel at stride 1 whose channel
 * counts are multiples of 4 (a SIMD vector) and at least 8 on the input side (a first layer of 1–4
 * channels gains nothing), with transformed planes of at most WINOGRAD_MAX_PLANE_FLOATS. A rule of
 * shapes alone, so a layer always computes the same way.
 */
export function runsWinograd(xShape: readonly number[], wShape: readonly number[], stride: number): boolean {
  const [kh, kw, cin, cout] = wShape as [number, number, number, number];
  if (!(kh === 3 && kw === 3 && stride === 1 && cin >= 8 && cin % 4 === 0 && cout % 4 === 0 && xShape.length === 4)) return false;
  const [batch, height, width] = xShape as [number, number, number, number];
  const tiles = batch * Math.ceil(height / OUT_TILE) * Math.ceil(width / OUT_TILE);
  return POSITIONS * tiles * Math.max(cin, cout) <= WINOGRAD_MAX_PLANE_FLOATS;
}

export interface WinogradAttrs {
  /** Zero rows above / columns left of the image, and the output's size. */
  padTop: number;
  padLeft: number;
  outHeight: number;
  outWidth: number;
}

/** The padding and output size of a 3×3 stride-1 conv of `xShape` with 'same' or 'valid' padding. */
export function winogradAttrs(xShape: readonly number[], wShape: readonly number[], pad: 'same' | 'valid'): WinogradAttrs {
  const info = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], wShape as [number, number, number, number], 1, 1, pad);
  return { padTop: info.padInfo.top, padLeft: info.padInfo.left, outHeight: info.outHeight, outWidth: info.outWidth };
}

interface Geometry extends WinogradAttrs {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outChannels: number;
  tilesDown: number;
  tilesAcross: number;
  tiles: number;
}

function geometryOf(xShape: readonly number[], cout: number, attrs: WinogradAttrs): Geometry {
  const [batch, inHeight, inWidth, inChannels] = xShape as [number, number, number, number];
  const tilesDown = Math.ceil(attrs.outHeight / OUT_TILE);
  const tilesAcross = Math.ceil(attrs.outWidth / OUT_TILE);
  return { ...attrs, batch, inHeight, inWidth, inChannels, outChannels: cout, tilesDown, tilesAcross, tiles: batch * tilesDown * tilesAcross };
}

function attrsOf(attrs: tf.NamedAttrMap | undefined): WinogradAttrs {
  const { padTop, padLeft, outHeight, outWidth } = (attrs ?? {}) as unknown as WinogradAttrs;
  return { padTop, padLeft, outHeight, outWidth };
}

// ---- address tables ------------------------------------------------------------------------------

/**
 * Pixel addresses of every tile's size×size window, tile by tile: the window of tile (n, ty, tx)
 * starts at image pixel (4·ty − top, 4·tx − left); pixels off the image get `offImage`.
 */
function fillPixelTable(table: Int32Array, g: Geometry, image: { base: number; height: number; width: number; channels: number }, size: number, top: number, left: number, offImage: number): void {
  const rowBytes = image.width * image.channels * 4;
  const pixelBytes = image.channels * 4;
  let k = 0;
  for (let n = 0; n < g.batch; n++) {
    const imageBase = image.base + n * image.height * rowBytes;
    for (let ty = 0; ty < g.tilesDown; ty++) {
      for (let tx = 0; tx < g.tilesAcross; tx++) {
        for (let i = 0; i < size; i++) {
          const y = OUT_TILE * ty - top + i;
          const rowInside = y >= 0 && y < image.height;
          for (let j = 0; j < size; j++) {
            const x = OUT_TILE * tx - left + j;
            table[k++] = rowInside && x >= 0 && x < image.width ? imageBase + y * rowBytes + x * pixelBytes : offImage;
          }
        }
      }
    }
  }
}

/** Addresses of row t of each of `planes` (one per Winograd coordinate), tile by tile. */
function fillPlaneTable(table: Int32Array, planes: readonly number[], rows: number, rowBytes: number): void {
  let k = 0;
  for (let t = 0; t < rows; t++) for (const plane of planes) table[k++] = plane + t * rowBytes;
}

/** Addresses of the 9 taps' rows of a [3, 3, rows, cols] filter, row by row. */
function fillTapTable(table: Int32Array, base: number, rows: number, cols: number): void {
  let k = 0;
  for (let r = 0; r < rows; r++) for (let tap = 0; tap < 9; tap++) table[k++] = base + (tap * rows + r) * cols * 4;
}

/**
 * Runs transform `name` over `tiles` tiles: builds its tables (after every allocation) and calls the
 * loop, its tiles split over the loop threads in ranges cut at multiples of `unit` tiles (tiles whose
 * results overlap must stay in one range).
 */
function transform(
  s: Scratch,
  name: TransformName,
  tiles: number,
  channels: number,
  fillIn: (table: Int32Array) => void,
  fillOut: (table: Int32Array) => void,
  options: { bias?: number; unit?: number } = {},
): void {
  const { p, q } = tileSizes(name);
  const inTable = s.make([tiles * p * p], 'int32');
  const outTable = s.make([tiles * q * q], 'int32');
  fillIn(s.ints(inTable));
  fillOut(s.ints(outTable));
  const [inAddress, outAddress] = [s.address(inTable), s.address(outTable)];
  const calls = splitRanges(tiles, piecesFor(s.memory, tiles * channels * POSITIONS), options.unit).map(([from, to]) => [
    inAddress + 4 * p * p * from, outAddress + 4 * q * q * from, to - from, channels * 4, options.bias ?? 0,
  ]);
  runLoopCalls(s.memory, WINOGRAD_TRANSFORMS, name, calls);
  s.drop(inTable, outTable);
}

/** A zeroed row of `floats` floats (reads off the image), or a scrap row (writes off the image). */
function spareRow(s: Scratch, floats: number): tf.TensorInfo {
  const row = s.make([Math.max(floats, 4)]);
  s.zero(row);
  return row;
}

const planesOf = (s: Scratch, rows: number, cols: number) => Array.from({ length: POSITIONS }, () => s.make([rows, cols]));

// ---- the three computations ----------------------------------------------------------------------

/** U_ξ = (G·w·Gᵀ)_ξ as 36 [rows, cols] matrices, from a [3, 3, rows, cols] filter. */
function filterTransform(s: Scratch, w: tf.TensorInfo, rows: number, cols: number): tf.TensorInfo[] {
  const u = planesOf(s, rows, cols);
  transform(s, 'filter', rows, cols, (t) => fillTapTable(t, s.address(w), rows, cols), (t) => fillPlaneTable(t, u.map((m) => s.address(m)), rows, cols * 4));
  return u;
}

interface Image {
  info: tf.TensorInfo;
  height: number;
  width: number;
  channels: number;
}

/** Transform `name` of every tile's size×size window of `image` (see fillPixelTable), as 36 [tiles, channels] matrices. */
function imageToPlanes(s: Scratch, g: Geometry, name: TransformName, image: Image, size: number, top: number, left: number): tf.TensorInfo[] {
  const planes = planesOf(s, g.tiles, image.channels);
  const zero = spareRow(s, image.channels);
  transform(
    s, name, g.tiles, image.channels,
    (t) => fillPixelTable(t, g, { ...image, base: s.address(image.info) }, size, top, left, s.address(zero)),
    (t) => fillPlaneTable(t, planes.map((m) => s.address(m)), g.tiles, image.channels * 4),
  );
  return planes;
}

/** V_ξ = (Bᵀ·d·B)_ξ of every input tile d, as 36 [tiles, inChannels] matrices. */
const inputTransform = (s: Scratch, g: Geometry, x: tf.TensorInfo) =>
  imageToPlanes(s, g, 'input', { info: x, height: g.inHeight, width: g.inWidth, channels: g.inChannels }, IN_TILE, g.padTop, g.padLeft);

/** dM_ξ = (A·dy·Aᵀ)_ξ of every output tile of dy, as 36 [tiles, outChannels] matrices. */
const outputAdjoint = (s: Scratch, g: Geometry, dy: tf.TensorInfo) =>
  imageToPlanes(s, g, 'outputAdjoint', { info: dy, height: g.outHeight, width: g.outWidth, channels: g.outChannels }, OUT_TILE, 0, 0);

/**
 * a_ξ · b_ξ for each coordinate ξ. XNNPACK packs b_ξ: the small transformed filter in the forward pass
 * and the input gradient, but the long dM_ξ in xnnpackTransposedProducts (why the loop wins there).
 */
const products = (s: Scratch, a: readonly tf.TensorInfo[], b: readonly tf.TensorInfo[]) =>
  a.map((ai, i) => s.track(callWasmKernel(s.backend, tf.BatchMatMul, { a: ai, b: b[i]! }, { transposeA: false, transposeB: false })));

const transposed = (s: Scratch, infos: readonly tf.TensorInfo[]) =>
  infos.map((x) => s.track(callWasmKernel(s.backend, tf.Transpose, { x }, { perm: [1, 0] })));

export type TransposedProducts = 'loop' | 'xnnpack';
let forcedProducts: TransposedProducts | undefined;

/** Makes the filter gradient compute its products one way (tests compare the two); undefined: the rule. */
export function forceTransposedProducts(products: TransposedProducts | undefined): void {
  forcedProducts = products;
}

/**
 * The filter gradient's 36 products V_ξᵀ·dM_ξ sum over every tile of the batch. Both ways sum each
 * element from +0 in ascending tile order, rounding each product, so they give the same bits and the
 * choice may follow speed. Measured at batch 60 (ms, loop vs XNNPACK): on one thread 64→64 at 32×32
 * 102 vs 148, 128→128 at 16×16 72 vs 82, 256→256 at 8×8 60 vs 70 (XNNPACK must transpose V_ξ and
 * pack dM_ξ, as big as the product's work); on two threads 101 vs 102, 69 vs 63, 62 vs 51.
 */
function transposedProductsBy(s: Scratch): TransposedProducts {
  return forcedProducts ?? (threadsOf(s.backend) > 1 && !hasHelpers(s.memory) ? 'xnnpack' : 'loop');
}

/** XNNPACK's threads (read off the backend: importing the wasm package's getThreadsCount would load it with stdlib). */
const threadsOf = (backend: BackendWasm) => (backend.wasm as unknown as { tfjs: { getThreadsCount(): number } }).tfjs.getThreadsCount();

/** V_ξᵀ·dM_ξ by XNNPACK: transposes V_ξ, packs dM_ξ. */
function xnnpackTransposedProducts(s: Scratch, v: tf.TensorInfo[], dm: tf.TensorInfo[]): tf.TensorInfo[] {
  const vT = transposed(s, v);
  const du = products(s, vT, dm);
  s.drop(...vT);
  return du;
}

/** V_ξᵀ·dM_ξ by the transposed-product loop, reading both in place (the 36 products spread over the loop threads). */
function loopTransposedProducts(s: Scratch, v: tf.TensorInfo[], dm: tf.TensorInfo[], g: Geometry): tf.TensorInfo[] {
  const du = planesOf(s, g.inChannels, g.outChannels);
  const rowBase = s.make([POSITIONS * g.inChannels], 'int32');
  const everyTile = s.make([2], 'int32');
  s.ints(everyTile).set([0, g.tiles]);
  const bases = s.ints(rowBase);
  v.forEach((vi, xi) => {
    const first = s.address(vi);
    for (let c = 0; c < g.inChannels; c++) bases[xi * g.inChannels + c] = first + 4 * c;
  });
  const tableAddress = s.address(rowBase);
  const calls = du.map((dui, xi) => {
    s.zero(dui);
    return [tableAddress + 4 * xi * g.inChannels, g.inChannels, s.address(dm[xi]!), g.outChannels, s.address(dui), g.tiles, g.tiles, 4 * g.inChannels, s.address(everyTile), 1];
  });
  runLoopCalls(s.memory, TRANSPOSED_PRODUCT, 'product', calls, POSITIONS * g.tiles * g.inChannels * g.outChannels);
  s.drop(rowBase, everyTile);
  return du;
}

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: {};
  attrs?: tf.NamedAttrMap;
}

/** y = conv(x, w) (+ b): x [n, h, w, cin], w [3, 3, cin, cout], optional b [cout]. */
function winogradForward({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, w, b } = inputs as { x: tf.TensorInfo; w: tf.TensorInfo; b?: tf.TensorInfo };
  const s = new Scratch(backend as BackendWasm);
  const g = geometryOf(x.shape, w.shape[3]!, attrsOf(attrs));
  try {
    const u = filterTransform(s, w, g.inChannels, g.outChannels);
    const v = inputTransform(s, g, x);
    const m = products(s, v, u);
    s.drop(...v, ...u);
    const y = s.make([g.batch, g.outHeight, g.outWidth, g.outChannels]);
    const scrap = spareRow(s, g.outChannels);
    const zeroBias = b === undefined ? spareRow(s, g.outChannels) : undefined;
    transform(
      s, 'output', g.tiles, g.outChannels,
      (t) => fillPlaneTable(t, m.map((mi) => s.address(mi)), g.tiles, g.outChannels * 4),
      (t) => fillPixelTable(t, g, { base: s.address(y), height: g.outHeight, width: g.outWidth, channels: g.outChannels }, OUT_TILE, 0, 0, s.address(scrap)),
      { bias: s.address(b ?? zeroBias!) },
    );
    return s.keep(y);
  } finally {
    s.releaseAll();
  }
}

/** dx of the forward conv: inputs dy [n, oh, ow, cout], w [3, 3, cin, cout]; attrs + inHeight, inWidth. */
function winogradInputGradient({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy, w } = inputs as { dy: tf.TensorInfo; w: tf.TensorInfo };
  const [, , cin, cout] = w.shape as [number, number, number, number];
  const [batch] = dy.shape as [number];
  const xShape = [batch, attrs!['inHeight'] as number, attrs!['inWidth'] as number, cin];
  const s = new Scratch(backend as BackendWasm);
  const g = geometryOf(xShape, cout, attrsOf(attrs));
  try {
    const wT = s.track(callWasmKernel(s.backend, tf.Transpose, { x: w }, { perm: [0, 1, 3, 2] }));
    const uT = filterTransform(s, wT, cout, cin);
    s.drop(wT);
    const dm = outputAdjoint(s, g, dy);
    const dv = products(s, dm, uT);
    s.drop(...dm, ...uT);
    const dx = s.make(xShape);
    const scrap = spareRow(s, cin);
    s.zero(dx);
    transform(
      s, 'inputAdjoint', g.tiles, cin,
      (t) => fillPlaneTable(t, dv.map((d) => s.address(d)), g.tiles, cin * 4),
      (t) => fillPixelTable(t, g, { base: s.address(dx), height: g.inHeight, width: g.inWidth, channels: cin }, IN_TILE, g.padTop, g.padLeft, s.address(scrap)),
      // Neighbouring tiles add into the same pixels, tiles of different images never: split by image.
      { unit: g.tilesDown * g.tilesAcross },
    );
    return s.keep(dx);
  } finally {
    s.releaseAll();
  }
}

/** dw of the forward conv: inputs x [n, h, w, cin], dy [n, oh, ow, cout]; result [3, 3, cin, cout]. */
function winogradFilterGradient({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const cout = dy.shape[3]!;
  const s = new Scratch(backend as BackendWasm);
  const g = geometryOf(x.shape, cout, attrsOf(attrs));
  try {
    const v = inputTransform(s, g, x);
    const dm = outputAdjoint(s, g, dy);
    const du = (transposedProductsBy(s) === 'xnnpack' ? xnnpackTransposedProducts : loopTransposedProducts)(s, v, dm, g);
    s.drop(...v, ...dm);
    const dw = s.make([3, 3, g.inChannels, cout]);
    transform(
      s, 'filterAdjoint', g.inChannels, cout,
      (t) => fillPlaneTable(t, du.map((d) => s.address(d)), g.inChannels, cout * 4),
      (t) => fillTapTable(t, s.address(dw), g.inChannels, cout),
    );
    return s.keep(dw);
  } finally {
    s.releaseAll();
  }
}

export const winogradKernels: tf.KernelConfig[] = [
  { kernelName: WINOGRAD_CONV, backendName: 'wasm', kernelFunc: winogradForward as tf.KernelFunc },
  { kernelName: WINOGRAD_CONV_INPUT_GRAD, backendName: 'wasm', kernelFunc: winogradInputGradient as tf.KernelFunc },
  { kernelName: WINOGRAD_CONV_FILTER_GRAD, backendName: 'wasm', kernelFunc: winogradFilterGradient as tf.KernelFunc },
];
