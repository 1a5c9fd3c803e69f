// The loops of the sparse dense layers (sparse-linear.ts), as a WebAssembly module with 128-bit SIMD
// built here byte by byte (no toolchain, nothing to download), run on the wasm backend's own heap.
// Activations are laid out one row per feature with the batch along the row (`rowBytes` apart, a
// multiple of 16), so every nonzero weight is a vector loop over the batch:
//   gather: dst[r] = Σ_k w[flat[k]] · src[idx[k]]  for k in ptr[r]..ptr[r+1]   (forward over the
//           pattern's columns, input gradient over its rows). Each destination row is summed in
//           registers, `width` vectors of the batch at a time (up to 16), and written once.
//   dots:   out[flat[k]] = src[r] · dst[idx[k]]  for the nonzeros k of row r  (the weight gradient),
//           up to eight nonzeros of a row at a time, so the source row is read once for them.
// Sums run in a fixed order that does not depend on the blocking: a destination element adds its
// products in ascending k, starting from zero, each product rounded before the add (no fused
// multiply-add); a dot product accumulates four lanes over the batch and adds them as
// (l0 + l1) + (l2 + l3). So the same pattern and data give the same bits on every run, at every
// thread count, as did the one-nonzero-at-a-time loops these replace.
import { functionCode, I32, increment, instanceOn, moduleBytes, op, V128, whileBelow, type Memory } from '../../../core/wasm-bytes.ts';

// Parameters of every function (byte addresses but for `rows`): the row pointers, the other index of
// each nonzero, each nonzero's element index in the dense matrix, the weights (gather) or the
// weight gradient (dots), the source rows, the destination rows, the number of rows, the bytes of a
// row, and the part of each row to compute (gather: [from, to), a multiple of the block).
const [PTR, IDX, FLAT, MATRIX, SRC, DST, ROWS, ROW_BYTES, FROM, TO] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const PARAMS = 10;

const advance = (local: number, bytes: number) => increment(local, op.i32(bytes));
/** local ← element r of the row pointers, as a byte offset into the nonzero tables. */
const rowPointer = (local: number, r: number, next: boolean) => [
  ...op.get(PTR), ...op.get(r), ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.i32LoadAt(next ? 4 : 0),
  ...op.i32(2), ...op.i32Shl, ...op.set(local),
];
/** base + (the table entry at byte offset k, + 4·j) · scale-by. */
const rowOf = (table: number, k: number, j: number, base: number) => [
  ...op.get(base), ...op.get(table), ...op.get(k), ...op.i32Add, ...op.i32LoadAt(4 * j), ...op.get(ROW_BYTES), ...op.i32Mul, ...op.i32Add,
];
const zero = (local: number) => [...op.v128Zero, ...op.set(local)];

function gatherCode(width: number): number[] {
  const [R, K, K0, KEND, B, S, D] = [PARAMS, PARAMS + 1, PARAMS + 2, PARAMS + 3, PARAMS + 4, PARAMS + 5, PARAMS + 6];
  const W = PARAMS + 7;
  const acc = (m: number) => W + 1 + m;
  const vectors = Array.from({ length: width }, (_, m) => m);
  const perNonzero = [
    // w ← the weight of nonzero k, in every lane.
    ...op.get(MATRIX), ...op.get(FLAT), ...op.get(K), ...op.i32Add, ...op.i32Load, ...op.i32(2), ...op.i32Shl, ...op.i32Add,
    ...op.f32Load, ...op.f32x4Splat, ...op.set(W),
    ...rowOf(IDX, K, 0, SRC), ...op.get(B), ...op.i32Add, ...op.set(S),
    ...vectors.flatMap((m) => [
      ...op.get(acc(m)), ...op.get(S), ...op.v128LoadAt(16 * m), ...op.get(W), ...op.f32x4Mul, ...op.f32x4Add, ...op.set(acc(m)),
    ]),
    ...advance(K, 4),
  ];
  const perBlock = [
    ...vectors.flatMap((m) => zero(acc(m))),
    ...op.get(K0), ...op.set(K),
    ...whileBelow(K, op.get(KEND), perNonzero),
    ...op.get(D), ...op.get(B), ...op.i32Add, ...op.set(S),
    ...vectors.flatMap((m) => [...op.get(S), ...op.get(acc(m)), ...op.v128StoreAt(16 * m)]),
    ...advance(B, 16 * width),
  ];
  const perRow = [
    ...rowPointer(K0, R, false), ...rowPointer(KEND, R, true),
    ...op.get(DST), ...op.get(R), ...op.get(ROW_BYTES), ...op.i32Mul, ...op.i32Add, ...op.set(D),
    ...op.get(FROM), ...op.set(B),
    ...whileBelow(B, op.get(TO), perBlock),
    ...advance(R, 1),
  ];
  return functionCode([[7, I32], [1 + width, V128]], [...op.i32(0), ...op.set(R), ...whileBelow(R, op.get(ROWS), perRow)]);
}

/**
 * The nonzeros of a row the dots take at a time (each reads the source row once for all of them):
 * eight while eight remain, then four, two, one. The weight gradient of a 784×300 layer at batch 60
 * took 0.62–0.63 ms at 50% density and 0.25 at 20%, against 0.69–0.80 and 0.29 four at a time;
 * twelve or sixteen at a time were slower again.
 */
const DOTS_WIDTHS = [8, 4, 2, 1];
const DOTS_MAX = Math.max(...DOTS_WIDTHS);

function dotsCode(): number[] {
  const [R, K, KEND, C, SR] = [PARAMS, PARAMS + 1, PARAMS + 2, PARAMS + 3, PARAMS + 4];
  const d = (m: number) => PARAMS + 5 + m;
  const S = PARAMS + 5 + DOTS_MAX;
  const acc = (m: number) => S + 1 + m;
  const block = (width: number) => {
    const nonzeros = Array.from({ length: width }, (_, m) => m);
    return [
      ...nonzeros.flatMap((m) => [...rowOf(IDX, K, m, DST), ...op.set(d(m)), ...zero(acc(m))]),
      ...op.i32(0), ...op.set(C),
      ...whileBelow(C, op.get(ROW_BYTES), [
        ...op.get(SR), ...op.get(C), ...op.i32Add, ...op.v128Load, ...op.set(S),
        ...nonzeros.flatMap((m) => [
          ...op.get(acc(m)), ...op.get(S), ...op.get(d(m)), ...op.get(C), ...op.i32Add, ...op.v128Load, ...op.f32x4Mul, ...op.f32x4Add, ...op.set(acc(m)),
        ]),
        ...advance(C, 16),
      ]),
      ...nonzeros.flatMap((m) => [
        ...op.get(MATRIX), ...op.get(FLAT), ...op.get(K), ...op.i32Add, ...op.i32LoadAt(4 * m), ...op.i32(2), ...op.i32Shl, ...op.i32Add,
        ...op.get(acc(m)), ...op.f32x4Lane(0), ...op.get(acc(m)), ...op.f32x4Lane(1), ...op.f32Add,
        ...op.get(acc(m)), ...op.f32x4Lane(2), ...op.get(acc(m)), ...op.f32x4Lane(3), ...op.f32Add, ...op.f32Add,
        ...op.f32Store,
      ]),
      ...advance(K, 4 * width),
    ];
  };
  const perRow = [
    ...rowPointer(K, R, false), ...rowPointer(KEND, R, true),
    ...op.get(SRC), ...op.get(R), ...op.get(ROW_BYTES), ...op.i32Mul, ...op.i32Add, ...op.set(SR),
    ...DOTS_WIDTHS.flatMap((width) => [
      // while (k + 4·width <= kend): width at a time.
      ...op.block, ...op.loop,
      ...op.get(K), ...op.i32(4 * width), ...op.i32Add, ...op.get(KEND), ...op.i32GtU, ...op.brIf(1),
      ...block(width),
      ...op.br(0), ...op.end, ...op.end,
    ]),
    ...advance(R, 1),
  ];
  return functionCode([[5 + DOTS_MAX, I32], [1 + DOTS_MAX, V128]], [...op.i32(0), ...op.set(R), ...whileBelow(R, op.get(ROWS), perRow)]);
}

/**
 * The widest gather loop, in vectors of 4: a row is covered in blocks of it, then one block of the
 * rest. 16 covers a batch of up to 64 in one pass over the nonzeros (their indices and weights read
 * once): the forward of a 784×300 layer at batch 60 and 50% density took 0.80–0.85 ms against
 * 0.93–1.14 with blocks of 8 (one more pass), though 16 accumulators exceed x64's 16 vector registers.
 */
export const MAX_GATHER_WIDTH = 16;
const GATHER_WIDTHS = Array.from({ length: MAX_GATHER_WIDTH }, (_, i) => i + 1);

function loopsModule(shared: boolean): Uint8Array {
  return moduleBytes(new Array(PARAMS).fill(I32), [
    ...GATHER_WIDTHS.map((width) => ({ name: `gather${width}`, code: gatherCode(width) })),
    { name: 'dots', code: dotsCode() },
  ], shared);
}

export type SparseLoop = (ptr: number, idx: number, flat: number, matrix: number, src: number, dst: number, rows: number, rowBytes: number, from: number, to: number) => void;

export interface SparseLoops {
  /** gather over `width` vectors at a time (1–8). */
  gather(width: number): SparseLoop;
  dots: SparseLoop;
}

/** The loops on `memory` (compiled once, instantiated once per memory). */
export function sparseLoops(memory: Memory): SparseLoops {
  const exports = instanceOn<Record<string, SparseLoop>>(memory, 'sparse-linear', loopsModule);
  return {
    gather: (width) => {
      const loop = exports[`gather${width}`];
      if (loop === undefined) throw new Error(`no gather loop of width ${width}`);
      return loop;
    },
    dots: exports['dots']!,
  };
}
