// A float32 matrix transpose in 4×4 blocks of WebAssembly SIMD, in place on the wasm backend's heap.
// Every product of a training step on wasm transposes operands explicitly (stdlib/nn/kernels/
// matmul-orientation.ts: its matMul with transpose flags is far slower), a LeNet-300-100 step some
// 400,000 elements, and the backend's own Transpose moves one element at a time (~1.6 ns each).
// A transpose only moves bits, so results are unchanged. Other ranks, permutations and dtypes go
// to the backend's own kernel.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { functionCode, I32, instanceOn, moduleBytes, op, V128 } from '../../../core/wasm-bytes.ts';
import { backendMemory, heapView } from '../../../core/wasm-kernel-calls.ts';

// Parameters: src, dst (byte addresses), rows4, cols4 (the whole blocks' extent), rows, cols.
const [SRC, DST, ROWS4, COLS4, ROWS, COLS] = [0, 1, 2, 3, 4, 5];
// Locals: block row i, block column j, their addresses, the strides in bytes; four rows, four pairs.
const [I, J, A, B, SRC_STRIDE, DST_STRIDE] = [6, 7, 8, 9, 10, 11];
const [R0, R1, R2, R3, T0, T1, T2, T3] = [12, 13, 14, 15, 16, 17, 18, 19];

const plus = (base: number, stride: number, times: number) => [
  ...op.get(base), ...op.get(stride), ...op.i32(times), ...op.i32Mul, ...op.i32Add,
];
/** local ← v128 at (base + stride · times). */
const loadRow = (local: number, times: number) => [...plus(A, SRC_STRIDE, times), ...op.v128Load, ...op.set(local)];
const pair = (local: number, x: number, y: number, lanes: [number, number, number, number]) => [
  ...op.get(x), ...op.get(y), ...op.shuffle32(lanes), ...op.set(local),
];
/** v128 at (B + dstStride · times) ← shuffle of two pairs. */
const storeColumn = (times: number, x: number, y: number, lanes: [number, number, number, number]) => [
  ...plus(B, DST_STRIDE, times), ...op.get(x), ...op.get(y), ...op.shuffle32(lanes), ...op.v128Store,
];
/** local ← (base + (a · b + c) · 4). */
const address = (local: number, base: number, a: number, b: number, c: number) => [
  ...op.get(base), ...op.get(a), ...op.get(b), ...op.i32Mul, ...op.get(c), ...op.i32Add, ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.set(local),
];
const loopWhileBelow = (counter: number, limit: number, body: number[]) => [
  ...op.i32(0), ...op.set(counter),
  ...op.block, ...op.loop,
  ...op.get(counter), ...op.get(limit), ...op.i32GeU, ...op.brIf(1),
  ...body,
  ...op.get(counter), ...op.i32(4), ...op.i32Add, ...op.set(counter),
  ...op.br(0), ...op.end, ...op.end,
];

const blockBody = [
  ...address(A, SRC, I, COLS, J),
  ...loadRow(R0, 0), ...loadRow(R1, 1), ...loadRow(R2, 2), ...loadRow(R3, 3),
  // rows a, b, c, d → [a0 b0 a1 b1], [a2 b2 a3 b3], [c0 d0 c1 d1], [c2 d2 c3 d3] → columns.
  ...pair(T0, R0, R1, [0, 4, 1, 5]), ...pair(T1, R0, R1, [2, 6, 3, 7]),
  ...pair(T2, R2, R3, [0, 4, 1, 5]), ...pair(T3, R2, R3, [2, 6, 3, 7]),
  ...address(B, DST, J, ROWS, I),
  ...storeColumn(0, T0, T2, [0, 1, 4, 5]), ...storeColumn(1, T0, T2, [2, 3, 6, 7]),
  ...storeColumn(2, T1, T3, [0, 1, 4, 5]), ...storeColumn(3, T1, T3, [2, 3, 6, 7]),
];

const body = [
  ...op.get(COLS), ...op.i32(2), ...op.i32Shl, ...op.set(SRC_STRIDE),
  ...op.get(ROWS), ...op.i32(2), ...op.i32Shl, ...op.set(DST_STRIDE),
  ...loopWhileBelow(I, ROWS4, loopWhileBelow(J, COLS4, blockBody)),
];

type TransposeLoop = (src: number, dst: number, rows4: number, cols4: number, rows: number, cols: number) => void;

const transposeModule = (shared: boolean) =>
  moduleBytes(new Array(6).fill(I32), [{ name: 'transpose', code: functionCode([[6, I32], [8, V128]], body) }], shared);

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: {};
  attrs?: tf.NamedAttrMap;
}

/** The Transpose kernel: 2-D float32 here, anything else by `builtIn` (the backend's own). */
export function simdTranspose(builtIn: tf.KernelFunc): tf.KernelFunc {
  return ((args: KernelArgs) => {
    const backend = args.backend as BackendWasm;
    const x = args.inputs['x'];
    const perm = args.attrs?.['perm'] as number[] | undefined;
    const memory = backendMemory(backend);
    if (x === undefined || x.shape.length !== 2 || x.dtype !== 'float32' || perm?.[0] !== 1 || memory === undefined) {
      return builtIn(args as unknown as Parameters<tf.KernelFunc>[0]);
    }
    const [rows, cols] = x.shape as [number, number];
    const out = backend.makeOutput([cols, rows], 'float32');
    // Views after the allocation: it may have grown (and so moved) the heap.
    const src = heapView(backend, x) as Float32Array;
    const dst = heapView(backend, out) as Float32Array;
    const [rows4, cols4] = [rows - (rows % 4), cols - (cols % 4)];
    instanceOn<{ transpose: TransposeLoop }>(memory, 'transpose', transposeModule).transpose(src.byteOffset, dst.byteOffset, rows4, cols4, rows, cols);
    // The edges outside whole blocks: the last rows % 4 rows, and the last cols % 4 columns above them.
    for (let i = 0; i < rows; i++) {
      for (let j = i < rows4 ? cols4 : 0; j < cols; j++) dst[j * rows + i] = src[i * cols + j]!;
    }
    return out;
  }) as unknown as tf.KernelFunc;
}
