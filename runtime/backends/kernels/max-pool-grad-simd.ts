// MaxPoolGrad's loop (max-pool-grad.ts) as WebAssembly with 128-bit SIMD, built here byte by byte, on
// the backend's heap: per output pixel, four channels at a time, the first position of each window's
// maximum (rows then columns, strict >, a NaN start losing to any number), then the pixel's gradient
// added there; channels past the last multiple of 4 as one more vector over the last four channels
// (only the new lanes added; fewer than 4 channels one at a time), by the same rule. Output pixels
// are visited in order, so overlapping windows add into a position in the same order as before.
import type { LoopModule } from '../../../core/loop-threads.ts';
import { functionCode, I32, increment as add, moduleBytes, op, V128 } from '../../../core/wasm-bytes.ts';

// Parameters: byte addresses of x, dy and dx (zeroed by the caller), then the geometry.
const [X, DY, DX, BATCH, H, W, C, OH, OW, SH, SW, FH, FW, TOP, LEFT] = Array.from({ length: 15 }, (_, i) => i);
const PARAMS = 15;

/** for (local = from; local < limit; local++) { body } (signed). */
const forRange = (local: number, from: number[], limit: number[], body: number[]) => [
  ...from, ...op.set(local),
  ...op.block, ...op.loop,
  ...op.get(local), ...limit, ...op.i32GeS, ...op.brIf(1),
  ...body,
  ...add(local, op.i32(1)),
  ...op.br(0), ...op.end, ...op.end,
];
const max = (a: number[], b: number[]) => [...a, ...b, ...a, ...b, ...op.i32GtS, ...op.select];
const min = (a: number[], b: number[]) => [...a, ...b, ...a, ...b, ...op.i32LtS, ...op.select];

function loopCode(): number[] {
  const [N, OY, OX, Y0, Y1, X0, X1, Y, XX, CB, AT, FIRST, BASE] = Array.from({ length: 13 }, (_, i) => PARAMS + i);
  const TAIL_FROM = PARAMS + 13;
  const [BEST_V, BEST_I, V, COND, DYV] = Array.from({ length: 5 }, (_, i) => PARAMS + 14 + i);
  // Scalar locals for the channel tail share i32 slots; f32 values are kept in v128 lane 0.
  /** element index of (n, y, x, channel ch) in x */
  const elementAt = (y: number[], x: number[], ch: number[]) => [
    ...op.get(N), ...op.get(H), ...op.i32Mul, ...y, ...op.i32Add, ...op.get(W), ...op.i32Mul, ...x, ...op.i32Add, ...op.get(C), ...op.i32Mul, ...ch, ...op.i32Add,
  ];
  const address = (base: number, index: number[]) => [...op.get(base), ...index, ...op.i32(2), ...op.i32Shl, ...op.i32Add];
  const dyIndex = (ch: number[]) => [
    ...op.get(N), ...op.get(OH), ...op.i32Mul, ...op.get(OY), ...op.i32Add, ...op.get(OW), ...op.i32Mul, ...op.get(OX), ...op.i32Add, ...op.get(C), ...op.i32Mul, ...ch, ...op.i32Add,
  ];
  const scatterLane = (lane: number) => [
    // dx[best lane] += dy lane
    ...address(DX, [...op.get(BEST_I), ...op.i32x4Lane(lane)]), ...op.set(AT),
    ...op.get(AT), ...op.get(AT), ...op.f32Load, ...op.get(DYV), ...op.f32x4Lane(lane), ...op.f32Add, ...op.f32Store,
  ];
  /** The window scan of channels CB..CB+3, then each lane's gradient added (lanes below `fromLane` local's channel skipped). */
  const vectorScan = (scatter: number[]) => [
    ...elementAt(op.get(Y0), op.get(X0), op.get(CB)), ...op.set(FIRST),
    ...address(X, op.get(FIRST)), ...op.v128Load, ...op.set(BEST_V),
    ...op.get(FIRST), ...op.i32x4Splat, ...op.i32x4Const([0, 1, 2, 3]), ...op.i32x4Add, ...op.set(BEST_I),
    ...forRange(Y, op.get(Y0), op.get(Y1), forRange(XX, op.get(X0), op.get(X1), [
      ...elementAt(op.get(Y), op.get(XX), op.get(CB)), ...op.set(AT),
      ...address(X, op.get(AT)), ...op.v128Load, ...op.set(V),
      // cond = v > best | (best ≠ best & v = v)
      ...op.get(V), ...op.get(BEST_V), ...op.f32x4Gt,
      ...op.get(BEST_V), ...op.get(BEST_V), ...op.f32x4Ne, ...op.get(V), ...op.get(V), ...op.f32x4Eq, ...op.v128And,
      ...op.v128Or, ...op.set(COND),
      ...op.get(V), ...op.get(BEST_V), ...op.get(COND), ...op.v128Bitselect, ...op.set(BEST_V),
      ...op.get(AT), ...op.i32x4Splat, ...op.i32x4Const([0, 1, 2, 3]), ...op.i32x4Add, ...op.get(BEST_I), ...op.get(COND), ...op.v128Bitselect, ...op.set(BEST_I),
    ])),
    ...address(DY, dyIndex(op.get(CB))), ...op.v128Load, ...op.set(DYV),
    ...scatter,
  ];
  const vectorBlock = vectorScan([0, 1, 2, 3].flatMap(scatterLane));
  // Channels past the last multiple of 4 (C ≥ 4): one vector over the last 4 channels, adding only the
  // lanes not done yet (per-lane scans are independent: the same result as channel by channel).
  const tailBlock = [
    ...op.block,
    ...op.get(CB), ...op.get(C), ...op.i32GeS, ...op.brIf(0),
    ...op.get(C), ...op.i32(4), ...op.i32LtS, ...op.brIf(0),
    ...op.get(CB), ...op.set(TAIL_FROM),
    ...op.get(C), ...op.i32(4), ...op.i32Sub, ...op.set(CB),
    ...vectorScan([0, 1, 2, 3].flatMap((lane) => [
      ...op.block,
      ...op.get(CB), ...op.i32(lane), ...op.i32Add, ...op.get(TAIL_FROM), ...op.i32LtS, ...op.brIf(0),
      ...scatterLane(lane),
      ...op.end,
    ])),
    ...op.get(C), ...op.set(CB),
    ...op.end,
  ];
  const scalarChannel = [
    // The same, one channel: the best value in lane 0 of BEST_V, its index in BASE.
    ...elementAt(op.get(Y0), op.get(X0), op.get(CB)), ...op.set(BASE),
    ...address(X, op.get(BASE)), ...op.f32Load, ...op.f32x4Splat, ...op.set(BEST_V),
    ...forRange(Y, op.get(Y0), op.get(Y1), forRange(XX, op.get(X0), op.get(X1), [
      ...elementAt(op.get(Y), op.get(XX), op.get(CB)), ...op.set(AT),
      ...address(X, op.get(AT)), ...op.f32Load, ...op.f32x4Splat, ...op.set(V),
      ...op.block,
      ...op.get(V), ...op.f32x4Lane(0), ...op.get(BEST_V), ...op.f32x4Lane(0), ...op.f32Gt,
      ...op.get(BEST_V), ...op.f32x4Lane(0), ...op.get(BEST_V), ...op.f32x4Lane(0), ...op.f32Ne,
      ...op.get(V), ...op.f32x4Lane(0), ...op.get(V), ...op.f32x4Lane(0), ...op.f32Eq, ...op.i32And, ...op.i32Or,
      ...op.i32Eqz, ...op.brIf(0),
      ...op.get(V), ...op.set(BEST_V), ...op.get(AT), ...op.set(BASE),
      ...op.end,
    ])),
    ...address(DX, op.get(BASE)), ...op.set(AT),
    ...op.get(AT), ...op.get(AT), ...op.f32Load, ...address(DY, dyIndex(op.get(CB))), ...op.f32Load, ...op.f32Add, ...op.f32Store,
  ];
  const perPixel = [
    // Y0 = max(0, oy·sh − top), Y1 = min(h, oy·sh − top + fh); the same for columns.
    ...op.get(OY), ...op.get(SH), ...op.i32Mul, ...op.get(TOP), ...op.i32Sub, ...op.set(Y1),
    ...max(op.i32(0), op.get(Y1)), ...op.set(Y0),
    ...min(op.get(H), [...op.get(Y1), ...op.get(FH), ...op.i32Add]), ...op.set(Y1),
    ...op.get(OX), ...op.get(SW), ...op.i32Mul, ...op.get(LEFT), ...op.i32Sub, ...op.set(X1),
    ...max(op.i32(0), op.get(X1)), ...op.set(X0),
    ...min(op.get(W), [...op.get(X1), ...op.get(FW), ...op.i32Add]), ...op.set(X1),
    ...op.block,
    // An empty window passes nothing on.
    ...op.get(Y0), ...op.get(Y1), ...op.i32GeS, ...op.get(X0), ...op.get(X1), ...op.i32GeS, ...op.i32Or, ...op.brIf(0),
    ...op.i32(0), ...op.set(CB),
    ...op.block, ...op.loop,
    ...op.get(CB), ...op.i32(4), ...op.i32Add, ...op.get(C), ...op.i32GtS, ...op.brIf(1),
    ...vectorBlock,
    ...add(CB, op.i32(4)),
    ...op.br(0), ...op.end, ...op.end,
    ...tailBlock,
    ...op.block, ...op.loop,
    ...op.get(CB), ...op.get(C), ...op.i32GeS, ...op.brIf(1),
    ...scalarChannel,
    ...add(CB, op.i32(1)),
    ...op.br(0), ...op.end, ...op.end,
    ...op.end,
  ];
  return functionCode([[14, I32], [5, V128]], [
    ...forRange(N, op.i32(0), op.get(BATCH), forRange(OY, op.i32(0), op.get(OH), forRange(OX, op.i32(0), op.get(OW), perPixel))),
  ]);
}

function loopModule(shared: boolean): Uint8Array {
  return moduleBytes(new Array(PARAMS).fill(I32), [{ name: 'maxPoolGrad', code: loopCode() }], shared);
}

// The loop's arguments: x, dy, dx (byte addresses), batch, height, width, channels, outHeight, outWidth,
// strideH, strideW, filterH, filterW, top, left.

/** The module, for core/loop-threads.ts's runLoopCalls (its function: 'maxPoolGrad'). */
export const MAX_POOL_GRAD: LoopModule = { key: 'max-pool-grad', build: loopModule };

