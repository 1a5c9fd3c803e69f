// ReLU's gradient on the wasm backend as one SIMD pass: dx = dy · step(x), step(x) = 1 where x > 0,
// 0 elsewhere, NaN where x is NaN. tfjs's gradient computes the same products as three kernels (Step,
// a Cast of its float32 result to float32, Multiply), each a pass over the tensor with its own output:
// for Conv-2's [60, 32, 32, 64] activations ~8.5 ms a step, this ~1 ms. Multiplying by exactly 1, 0 or
// NaN, it gives the same bits as tfjs's (test/backends/relu-gradient.test.ts), so no result changes.
// Other backends keep tfjs's gradient.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { piecesFor, runLoopCalls, splitRanges, type LoopModule } from '../../../core/loop-threads.ts';
import { functionCode, I32, increment as add, moduleBytes, op, V128, whileBelow } from '../../../core/wasm-bytes.ts';
import { backendMemory, heapView } from '../../../core/wasm-kernel-calls.ts';

export const RELU_GRAD = 'LtxReluGrad';

// Parameters: x, dy, dx (byte addresses), the bytes of the whole vectors, all the bytes.
const [X, DY, DX, VECTOR_BYTES, BYTES] = [0, 1, 2, 3, 4];
const PARAMS = 5;

function reluGradCode(): number[] {
  const [I, MASK] = [PARAMS, PARAMS + 1];
  const at = (base: number) => [...op.get(base), ...op.get(I), ...op.i32Add];
  const one = op.f32x4Const(1);
  return functionCode([[1, I32], [1, V128]], [
    ...op.i32(0), ...op.set(I),
    ...whileBelow(I, op.get(VECTOR_BYTES), [
      // mask = x > 0 ? 1 : 0, then x itself where x is NaN
      ...one, ...op.v128Zero, ...at(X), ...op.v128Load, ...op.v128Zero, ...op.f32x4Gt, ...op.v128Bitselect, ...op.set(MASK),
      ...at(X), ...op.v128Load, ...op.get(MASK), ...at(X), ...op.v128Load, ...at(X), ...op.v128Load, ...op.f32x4Ne, ...op.v128Bitselect, ...op.set(MASK),
      ...at(DX), ...at(DY), ...op.v128Load, ...op.get(MASK), ...op.f32x4Mul, ...op.v128Store,
      ...add(I, op.i32(16)),
    ]),
    ...whileBelow(I, op.get(BYTES), [
      ...at(DX),
      ...at(DY), ...op.f32Load,
      // select(x, x > 0 ? 1 : 0, x is NaN)
      ...at(X), ...op.f32Load,
      ...op.f32Const(1), ...op.f32Const(0), ...at(X), ...op.f32Load, ...op.f32Const(0), ...op.f32Gt, ...op.select,
      ...at(X), ...op.f32Load, ...at(X), ...op.f32Load, ...op.f32Ne,
      ...op.select,
      ...op.f32Mul, ...op.f32Store,
      ...add(I, op.i32(4)),
    ]),
  ]);
}

function reluGradModule(shared: boolean): Uint8Array {
  return moduleBytes(new Array(PARAMS).fill(I32), [{ name: 'reluGrad', code: reluGradCode() }], shared);
}

const RELU_GRAD_LOOP: LoopModule = { key: 'relu-grad', build: reluGradModule };

function reluGradWasm({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: {} }): tf.TensorInfo {
  const wasm = backend as BackendWasm;
  const { dy, x } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
  const memory = backendMemory(wasm);
  if (memory === undefined) throw new Error('ReLU gradient needs the wasm backend heap');
  const dx = wasm.makeOutput(x.shape, 'float32');
  const [xAt, dyAt, dxAt] = [x, dy, dx].map((info) => heapView(wasm, info).byteOffset) as [number, number, number];
  const size = x.shape.reduce((a, b) => a * b, 1);
  // Pieces of whole vectors, the last one with the tail.
  const vectors = Math.floor(size / 4);
  const ranges = splitRanges(vectors, piecesFor(memory, size));
  const calls = (ranges.length > 0 ? ranges : [[0, 0] as [number, number]]).map(([from, to], i, all) => {
    const offset = 16 * from;
    const bytes = i === all.length - 1 ? 4 * size - offset : 16 * (to - from);
    return [xAt + offset, dyAt + offset, dxAt + offset, 16 * (to - from), bytes];
  });
  runLoopCalls(memory, RELU_GRAD_LOOP, 'reluGrad', calls, size);
  return dx;
}

let tfjsGradient: tf.GradConfig | undefined;

const reluGradient: tf.GradConfig = {
  kernelName: tf.Relu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor];
    if (tf.getBackend() !== 'wasm' || x.dtype !== 'float32') return tfjsGradient!.gradFunc(dy, saved, attrs);
    return { x: () => tf.engine().runKernel(RELU_GRAD, { dy: dy as tf.Tensor, x }) as tf.Tensor };
  },
};

/** Registers the wasm kernel and installs the gradient in tfjs's (process-global) registry; idempotent. */
export function registerReluGradient(): void {
  if (tf.getKernel(RELU_GRAD, 'wasm') === undefined) tf.registerKernel({ kernelName: RELU_GRAD, backendName: 'wasm', kernelFunc: reluGradWasm as tf.KernelFunc });
  const current = tf.getGradient(tf.Relu);
  if (current === reluGradient) return;
  tfjsGradient = current;
  tf.registerGradient(reluGradient);
}
