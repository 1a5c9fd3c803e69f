// Sum over the leading axes of a float32 tensor (a conv bias's gradient: dy [n, h, w, c] summed to
// [c]) as one WebAssembly SIMD pass on the wasm backend's heap. The backend's own kernel first
// transposes the reduced axes last, then sums each output's elements one after another from 0
// (checked: its sums are the sequential float32 sums); this pass keeps the layout and adds the rows
// into the outputs in row order, four columns a lane each, so each output gets the same additions in
// the same order: the same bits. Conv-2's bias gradients ([60, 32, 32, 64]) took 13 ms each.
// Other reductions go to the backend's own kernel.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { functionCode, I32, increment as add, instanceOn, moduleBytes, op, whileBelow, type Memory } from '../../../core/wasm-bytes.ts';
import { backendMemory, heapView } from '../../../core/wasm-kernel-calls.ts';

// Parameters: src, dst (byte addresses; dst zeroed), rows, the bytes of a row, the bytes of its whole vectors.
const [SRC, DST, ROWS, ROW_BYTES, VECTOR_BYTES] = [0, 1, 2, 3, 4];
const [R, C, AT] = [5, 6, 7];

const body = [
  ...op.i32(0), ...op.set(R),
  ...op.get(SRC), ...op.set(AT),
  ...whileBelow(R, op.get(ROWS), [
    // dst[c..c+3] += row[c..c+3] over the row's whole vectors, then its last columns one by one.
    ...op.i32(0), ...op.set(C),
    ...whileBelow(C, op.get(VECTOR_BYTES), [
      ...op.get(DST), ...op.get(C), ...op.i32Add,
      ...op.get(DST), ...op.get(C), ...op.i32Add, ...op.v128Load,
      ...op.get(AT), ...op.get(C), ...op.i32Add, ...op.v128Load,
      ...op.f32x4Add, ...op.v128Store,
      ...add(C, op.i32(16)),
    ]),
    ...whileBelow(C, op.get(ROW_BYTES), [
      ...op.get(DST), ...op.get(C), ...op.i32Add,
      ...op.get(DST), ...op.get(C), ...op.i32Add, ...op.f32Load,
      ...op.get(AT), ...op.get(C), ...op.i32Add, ...op.f32Load,
      ...op.f32Add, ...op.f32Store,
      ...add(C, op.i32(4)),
    ]),
    ...add(AT, op.get(ROW_BYTES)),
    ...add(R, op.i32(1)),
  ]),
];

type SumLoop = (src: number, dst: number, rows: number, rowBytes: number, vectorBytes: number) => void;

const sumModule = (shared: boolean) => moduleBytes(new Array(5).fill(I32), [{ name: 'sum', code: functionCode([[3, I32]], body) }], shared);

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: {};
  attrs?: tf.NamedAttrMap;
}

/**
 * dst[i] += src[i] for the `count` floats at the two byte addresses of `memory`, as float32 additions
 * (the same bits as one element at a time).
 */
export function addInto(memory: Memory, src: number, dst: number, count: number): void {
  instanceOn<{ sum: SumLoop }>(memory, 'leading-sum', sumModule).sum(src, dst, 1, count * 4, (count - (count % 4)) * 4);
}

/** How many leading axes `axis` names, if it names exactly the first k (0 < k < rank); 0 otherwise. */
export function leadingAxes(axis: number | number[] | undefined, rank: number): number {
  if (axis === undefined) return 0;
  const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
  const k = axes.length;
  return k > 0 && k < rank && axes.every((a, i) => a === i) ? k : 0;
}

/** The Sum kernel: float32 over leading axes here, anything else by `builtIn` (the backend's own). */
export function leadingAxesSum(builtIn: tf.KernelFunc): tf.KernelFunc {
  return ((args: KernelArgs) => {
    const backend = args.backend as BackendWasm;
    const x = args.inputs['x'];
    const memory = backendMemory(backend);
    const k = x === undefined ? 0 : leadingAxes(args.attrs?.['axis'] as number | number[] | undefined, x.shape.length);
    if (x === undefined || x.dtype !== 'float32' || k === 0 || memory === undefined) return builtIn(args as unknown as Parameters<tf.KernelFunc>[0]);
    const kept = x.shape.slice(k);
    const cols = kept.reduce((a, b) => a * b, 1);
    const rows = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
    const shape = args.attrs?.['keepDims'] === true ? [...x.shape.slice(0, k).map(() => 1), ...kept] : kept;
    const out = backend.makeOutput(shape, 'float32');
    // Views after the allocation: it may have grown (and so moved) the heap.
    const src = heapView(backend, x) as Float32Array;
    const dst = heapView(backend, out) as Float32Array;
    dst.fill(0);
    instanceOn<{ sum: SumLoop }>(memory, 'leading-sum', sumModule).sum(src.byteOffset, dst.byteOffset, rows, cols * 4, (cols - (cols % 4)) * 4);
    return out;
  }) as unknown as tf.KernelFunc;
}
