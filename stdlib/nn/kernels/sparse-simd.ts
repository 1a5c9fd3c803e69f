// Two loops over the nonzeros of a fixed sparsity pattern, as a WebAssembly module with 128-bit
// SIMD, built here byte by byte (a few hundred bytes: no toolchain, nothing to download). Rows are
// `rowBytes` long (a multiple of 16: a batch padded to a multiple of 4 floats) and hold one
// weight's batch of activations, so every nonzero is one vector loop over the batch:
//   axpy: dst[dstRow[k]] += value[k] · src[srcRow[k]]        (forward and input gradient)
//   dots: out[k] = src[srcRow[k]] · dst[dstRow[k]]           (weight gradient at the nonzeros)
// Products and sums run in a fixed order (multiply, then add; no fused multiply-add), so the
// same pattern and data give the same bits on every run and every thread count.

import { ensureBytes, functionCode, I32, moduleBytes, op, V128, webAssembly, type Memory } from '../../../core/wasm-bytes.ts';

export { ensureBytes };

// Parameters of both functions: nnz, srcRow, dstRow, values (or out), src, dst, rowBytes.
const [NNZ, SRC_ROW, DST_ROW, VALUES, SRC, DST, ROW_BYTES] = [0, 1, 2, 3, 4, 5, 6];
// Locals after the parameters.
const [K, S, D, END, V] = [7, 8, 9, 10, 11];

/** addr(base + i32[table + 4k] · rowBytes) into `local`. */
const rowAddress = (table: number, base: number, local: number) => [
  ...op.get(base), ...op.get(table), ...op.get(K), ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.i32Load,
  ...op.get(ROW_BYTES), ...op.i32Mul, ...op.i32Add, ...op.set(local),
];
/** The address of element k of a 4-byte table. */
const elementK = (table: number) => [...op.get(table), ...op.get(K), ...op.i32(2), ...op.i32Shl, ...op.i32Add];
const advance = (local: number, by: number) => [...op.get(local), ...op.i32(by), ...op.i32Add, ...op.set(local)];

/** for k in 0..nnz: S, D ← the rows; body(k); the vector loop over the row. */
function overNonzeros(perNonzero: number[], perVector: number[], afterRow: number[]): number[] {
  return [
    ...op.i32(0), ...op.set(K),
    ...op.block, ...op.loop,
    ...op.get(K), ...op.get(NNZ), ...op.i32GeU, ...op.brIf(1),
    ...rowAddress(SRC_ROW, SRC, S), ...rowAddress(DST_ROW, DST, D),
    ...op.get(S), ...op.get(ROW_BYTES), ...op.i32Add, ...op.set(END),
    ...perNonzero,
    ...op.block, ...op.loop,
    ...op.get(S), ...op.get(END), ...op.i32GeU, ...op.brIf(1),
    ...perVector,
    ...advance(S, 16), ...advance(D, 16),
    ...op.br(0), ...op.end, ...op.end,
    ...afterRow,
    ...advance(K, 1),
    ...op.br(0), ...op.end, ...op.end,
  ];
}

const axpyBody = overNonzeros(
  [...elementK(VALUES), ...op.f32Load, ...op.f32x4Splat, ...op.set(V)],
  [...op.get(D), ...op.get(D), ...op.v128Load, ...op.get(S), ...op.v128Load, ...op.get(V), ...op.f32x4Mul, ...op.f32x4Add, ...op.v128Store],
  [],
);

const dotsBody = overNonzeros(
  [0xfd, 0x0c, ...new Array(16).fill(0), ...op.set(V)], // v128.const 0
  [...op.get(V), ...op.get(S), ...op.v128Load, ...op.get(D), ...op.v128Load, ...op.f32x4Mul, ...op.f32x4Add, ...op.set(V)],
  [
    ...elementK(VALUES),
    ...op.get(V), ...op.f32x4Lane(0), ...op.get(V), ...op.f32x4Lane(1), ...op.f32Add,
    ...op.get(V), ...op.f32x4Lane(2), ...op.get(V), ...op.f32x4Lane(3), ...op.f32Add, ...op.f32Add,
    ...op.f32Store,
  ],
);

const LOCALS = [[4, I32], [1, V128]] as const;

function loopsModule(): Uint8Array {
  return moduleBytes(new Array(7).fill(I32), [
    { name: 'axpy', code: functionCode(LOCALS, axpyBody) },
    { name: 'dots', code: functionCode(LOCALS, dotsBody) },
  ]);
}

type Loop = (nnz: number, srcRow: number, dstRow: number, values: number, src: number, dst: number, rowBytes: number) => void;

/** One instance with its own memory, grown on demand; everything is copied in and out per call. */
export interface SparseLoops {
  memory: Memory;
  axpy: Loop;
  dots: Loop;
}

let compiled: object | undefined;

export function sparseLoops(): SparseLoops {
  compiled ??= new webAssembly.Module(loopsModule());
  const memory = new webAssembly.Memory({ initial: 1 });
  const exports = new webAssembly.Instance(compiled, { env: { memory } }).exports as unknown as { axpy: Loop; dots: Loop };
  return { memory, axpy: exports.axpy, dots: exports.dots };
}
