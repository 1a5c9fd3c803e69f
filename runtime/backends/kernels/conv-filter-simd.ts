// The conv weight gradient's products (conv2d-backprop-filter.ts) as one WebAssembly SIMD loop on the
// backend's heap, built here byte by byte: dW = Σ over chunks of grid positions of Aᵀ_chunk · dy_chunk,
// where row r of Aᵀ is a window of one input plane (read in place, not copied) and dy is laid out one
// grid position per row, its channels padded to a multiple of 4.
//
// The sums run in the order of the XNNPACK products they replace, so the bits are the same: each
// element of a chunk's product starts from +0 and adds its products in ascending position, each
// product rounded before the add (XNNPACK's wasm GEMM does exactly this), and the chunks' products
// are added to the total in chunk order.
import { functionCode, I32, increment as add, instanceOn, moduleBytes, op, V128, whileBelow, type Memory } from '../../../core/wasm-bytes.ts';

// Parameters, byte addresses but for the counts: each row's first input element (an int32 table), the
// rows, the dy grid [span, cols], its columns (a multiple of 4), the total [rows, cols] (added to),
// the grid positions, and the positions per chunk.
const [ROW_BASE, ROWS, DY, COLS, SUM, SPAN, DEPTH] = [0, 1, 2, 3, 4, 5, 6];
const PARAMS = 7;
/** Rows and 4-column vectors a block keeps in registers: 4 × 2 accumulators, 2 dy vectors, 1 splat. */
const ROW_BLOCK = 4;
const VECTOR_BLOCK = 2;

function filterCode(): number[] {
  // i32 locals
  const [FROM, END, R, C, J, B, ROW_BYTES, A] = [PARAMS, PARAMS + 1, PARAMS + 2, PARAMS + 3, PARAMS + 4, PARAMS + 5, PARAMS + 6, PARAMS + 7];
  const base = (i: number) => PARAMS + 8 + i;
  const I32_LOCALS = 8 + ROW_BLOCK;
  // v128 locals
  const acc = (i: number, v: number) => PARAMS + I32_LOCALS + i * VECTOR_BLOCK + v;
  const dy = (v: number) => PARAMS + I32_LOCALS + ROW_BLOCK * VECTOR_BLOCK + v;
  const SPLAT = PARAMS + I32_LOCALS + ROW_BLOCK * VECTOR_BLOCK + VECTOR_BLOCK;

  /** rows r..r+rows-1 × vectors c..c+vectors-1 of the chunk [FROM, END), added to the total. */
  const block = (rows: number, vectors: number) => {
    const is = Array.from({ length: rows }, (_, i) => i);
    const vs = Array.from({ length: vectors }, (_, v) => v);
    return [
      ...is.flatMap((i) => vs.flatMap((v) => [...op.v128Zero, ...op.set(acc(i, v))])),
      // B ← the dy grid at (FROM, c); A ← 4·FROM, the byte offset of position FROM in a row's plane.
      ...op.get(DY), ...op.get(FROM), ...op.get(ROW_BYTES), ...op.i32Mul, ...op.i32Add, ...op.get(C), ...op.i32Add, ...op.set(B),
      ...op.get(FROM), ...op.i32(2), ...op.i32Shl, ...op.set(A),
      ...op.get(FROM), ...op.set(J),
      ...whileBelow(J, op.get(END), [
        ...vs.flatMap((v) => [...op.get(B), ...op.v128LoadAt(16 * v), ...op.set(dy(v))]),
        ...is.flatMap((i) => [
          ...op.get(base(i)), ...op.get(A), ...op.i32Add, ...op.f32Load, ...op.f32x4Splat, ...op.set(SPLAT),
          ...vs.flatMap((v) => [...op.get(acc(i, v)), ...op.get(SPLAT), ...op.get(dy(v)), ...op.f32x4Mul, ...op.f32x4Add, ...op.set(acc(i, v))]),
        ]),
        ...add(J, op.i32(1)),
        ...add(A, op.i32(4)),
        ...add(B, op.get(ROW_BYTES)),
      ]),
      // total[r + i][c + v] += acc[i][v]
      ...is.flatMap((i) => vs.flatMap((v) => [
        ...op.get(SUM), ...op.get(R), ...op.i32(i), ...op.i32Add, ...op.get(ROW_BYTES), ...op.i32Mul, ...op.i32Add, ...op.get(C), ...op.i32Add, ...op.set(B),
        ...op.get(B), ...op.get(B), ...op.v128LoadAt(16 * v), ...op.get(acc(i, v)), ...op.f32x4Add, ...op.v128StoreAt(16 * v),
      ])),
    ];
  };

  /** All vectors of rows r..r+rows-1: blocks of VECTOR_BLOCK, then one at a time. */
  const rowBlock = (rows: number) => [
    ...Array.from({ length: rows }, (_, i) => [
      ...op.get(ROW_BASE), ...op.get(R), ...op.i32(i), ...op.i32Add, ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.i32Load, ...op.set(base(i)),
    ]).flat(),
    ...op.i32(0), ...op.set(C),
    // while (c + 16·VECTOR_BLOCK <= rowBytes)
    ...op.block, ...op.loop,
    ...op.get(C), ...op.i32(16 * VECTOR_BLOCK), ...op.i32Add, ...op.get(ROW_BYTES), ...op.i32GtU, ...op.brIf(1),
    ...block(rows, VECTOR_BLOCK),
    ...add(C, op.i32(16 * VECTOR_BLOCK)),
    ...op.br(0), ...op.end, ...op.end,
    ...whileBelow(C, op.get(ROW_BYTES), [...block(rows, 1), ...add(C, op.i32(16))]),
  ];

  const perChunk = [
    // END ← min(FROM + DEPTH, SPAN)
    ...op.get(FROM), ...op.get(DEPTH), ...op.i32Add, ...op.get(SPAN),
    ...op.get(FROM), ...op.get(DEPTH), ...op.i32Add, ...op.get(SPAN), ...op.i32LtS, ...op.select, ...op.set(END),
    ...op.i32(0), ...op.set(R),
    // while (r + ROW_BLOCK <= rows)
    ...op.block, ...op.loop,
    ...op.get(R), ...op.i32(ROW_BLOCK), ...op.i32Add, ...op.get(ROWS), ...op.i32GtU, ...op.brIf(1),
    ...rowBlock(ROW_BLOCK),
    ...add(R, op.i32(ROW_BLOCK)),
    ...op.br(0), ...op.end, ...op.end,
    ...whileBelow(R, op.get(ROWS), [...rowBlock(1), ...add(R, op.i32(1))]),
    ...op.get(END), ...op.set(FROM),
  ];
  return functionCode([[I32_LOCALS, I32], [ROW_BLOCK * VECTOR_BLOCK + VECTOR_BLOCK + 1, V128]], [
    ...op.get(COLS), ...op.i32(2), ...op.i32Shl, ...op.set(ROW_BYTES),
    ...op.i32(0), ...op.set(FROM),
    ...whileBelow(FROM, op.get(SPAN), perChunk),
  ]);
}

function filterModule(shared: boolean): Uint8Array {
  return moduleBytes(new Array(PARAMS).fill(I32), [{ name: 'filter', code: filterCode() }], shared);
}

export type FilterLoop = (rowBase: number, rows: number, dy: number, cols: number, sum: number, span: number, depth: number) => void;

/** The loop on `memory` (compiled once, instantiated once per memory). */
export function convFilterLoop(memory: Memory): FilterLoop {
  return instanceOn<{ filter: FilterLoop }>(memory, 'conv-filter', filterModule).filter;
}
