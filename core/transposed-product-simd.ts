// Σ over positions of Aᵀ·B as one WebAssembly SIMD loop on the wasm backend's heap, built here byte
// by byte, for products whose sum runs over many positions (a weight gradient's over the batch's
// pixels or tiles) and whose operands are read in place: no transposed copy, no packing. Row r of Aᵀ
// starts at its own address (an int32 table) and steps a fixed number of bytes per position; B is
// [positions, cols], cols a multiple of 4. Users: the conv weight gradient (runtime/backends'
// conv2d-backprop-filter.ts: rows are windows of input planes, step 4) and the Winograd conv's filter
// gradient (stdlib/nn/kernels/winograd-conv.ts: A is [tiles, channels], step 4·channels). In core
// because both folders use it.
//
// The sums run in the order of the XNNPACK products they replace, so the bits are the same: each
// element of a chunk's product starts from +0 and adds its products in ascending position, each
// product rounded before the add (XNNPACK's wasm GEMM does exactly this), and the chunks' products
// are added to the total in chunk order.
import type { LoopModule } from './loop-threads.ts';
import { functionCode, I32, increment as add, moduleBytes, op, V128, whileBelow } from './wasm-bytes.ts';

// Parameters, byte addresses but for the counts: each row's first input element (an int32 table), the
// rows, the dy grid [span, cols], its columns (a multiple of 4), the total [rows, cols] (added to),
// the grid positions, the positions per chunk, the bytes from one position's input element to the
// next (4 for a plane read in place; 4·rows for an operand stored position-major), and the segments:
// [start, end) pairs of positions (an int32 table, in order, not overlapping) outside which B is
// zero, so that the sums skip them (a product with a zero B adds ±0, which changes no sum that
// starts from +0: the same bits, for finite A).
const [ROW_BASE, ROWS, DY, COLS, SUM, SPAN, DEPTH, STEP, SEGMENTS, SEGMENT_COUNT] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const PARAMS = 10;
/** Rows and 4-column vectors a block keeps in registers: 4 × 2 accumulators, 2 dy vectors, 1 splat. */
const ROW_BLOCK = 4;
const VECTOR_BLOCK = 2;

function productCode(): number[] {
  // i32 locals
  const [FROM, END, R, C, J, B, ROW_BYTES, A] = [PARAMS, PARAMS + 1, PARAMS + 2, PARAMS + 3, PARAMS + 4, PARAMS + 5, PARAMS + 6, PARAMS + 7];
  const base = (i: number) => PARAMS + 8 + i;
  // The first segment that reaches into the chunk, a segment, and the end of its part in the chunk.
  const [CHUNK_SEGMENT, SEGMENT, PART_END] = [PARAMS + 8 + ROW_BLOCK, PARAMS + 9 + ROW_BLOCK, PARAMS + 10 + ROW_BLOCK];
  const I32_LOCALS = 11 + ROW_BLOCK;
  const segmentField = (segment: number, field: 0 | 1) => [...op.get(SEGMENTS), ...op.get(segment), ...op.i32(3), ...op.i32Shl, ...op.i32Add, ...op.i32LoadAt(4 * field)];
  const larger = (a: number[], b: number[]) => [...a, ...b, ...a, ...b, ...op.i32GtU, ...op.select];
  const smaller = (a: number[], b: number[]) => [...a, ...b, ...a, ...b, ...op.i32LtU, ...op.select];
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
      // The segments' parts in the chunk [FROM, END), in order.
      ...op.get(CHUNK_SEGMENT), ...op.set(SEGMENT),
      ...op.block, ...op.loop,
      ...op.get(SEGMENT), ...op.get(SEGMENT_COUNT), ...op.i32GeU, ...op.brIf(1),
      ...segmentField(SEGMENT, 0), ...op.get(END), ...op.i32GeU, ...op.brIf(1),
      ...larger(segmentField(SEGMENT, 0), op.get(FROM)), ...op.set(J),
      ...smaller(segmentField(SEGMENT, 1), op.get(END)), ...op.set(PART_END),
      // B ← the dy grid at (J, c); A ← J·STEP, the byte offset of position J from a row's first element.
      ...op.get(DY), ...op.get(J), ...op.get(ROW_BYTES), ...op.i32Mul, ...op.i32Add, ...op.get(C), ...op.i32Add, ...op.set(B),
      ...op.get(J), ...op.get(STEP), ...op.i32Mul, ...op.set(A),
      ...whileBelow(J, op.get(PART_END), [
        ...vs.flatMap((v) => [...op.get(B), ...op.v128LoadAt(16 * v), ...op.set(dy(v))]),
        ...is.flatMap((i) => [
          ...op.get(base(i)), ...op.get(A), ...op.i32Add, ...op.f32Load, ...op.f32x4Splat, ...op.set(SPLAT),
          ...vs.flatMap((v) => [...op.get(acc(i, v)), ...op.get(SPLAT), ...op.get(dy(v)), ...op.f32x4Mul, ...op.f32x4Add, ...op.set(acc(i, v))]),
        ]),
        ...add(J, op.i32(1)),
        ...add(A, op.get(STEP)),
        ...add(B, op.get(ROW_BYTES)),
      ]),
      ...add(SEGMENT, op.i32(1)),
      ...op.br(0), ...op.end, ...op.end,
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
    // CHUNK_SEGMENT ← the first segment ending after FROM
    ...op.block, ...op.loop,
    ...op.get(CHUNK_SEGMENT), ...op.get(SEGMENT_COUNT), ...op.i32GeU, ...op.brIf(1),
    ...segmentField(CHUNK_SEGMENT, 1), ...op.get(FROM), ...op.i32GtU, ...op.brIf(1),
    ...add(CHUNK_SEGMENT, op.i32(1)),
    ...op.br(0), ...op.end, ...op.end,
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
    ...op.i32(0), ...op.set(CHUNK_SEGMENT),
    ...whileBelow(FROM, op.get(SPAN), perChunk),
  ]);
}

function productModule(shared: boolean): Uint8Array {
  return moduleBytes(new Array(PARAMS).fill(I32), [{ name: 'product', code: productCode() }], shared);
}

/**
 * The module, for core/loop-threads.ts's runLoopCalls. Its function 'product' takes (rowBase, rows,
 * b, cols, total, span, depth, step, segments, segmentCount) and adds to total[rows, cols] the Σ over
 * the segments' positions in [0, span), in chunks of `depth`, of Aᵀ·B (see the parameters above).
 */
export const TRANSPOSED_PRODUCT: LoopModule = { key: 'transposed-product', build: productModule };

