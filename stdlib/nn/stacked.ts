// Dense layers of R replicates in one engine op: x [R, n, in], w [R, in, out], b [R, out] → [R, n, out].
// Small nets spend most of a step in per-op overhead, so R members' layer costs one op forward and one
// per gradient instead of R. Inside the kernel each member is computed by exactly the backend kernels
// its own layer runs alone (stdlib/nn/ops.ts: wasm's bias-fused, oriented product; elsewhere
// BatchMatMul then Add; the gradients' products and bias sums likewise), on a copy of its slice, so
// each member's numbers are bit for bit those of its layer alone.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callWasmKernel, heapView, release } from '../../core/wasm-kernel-calls.ts';
import './gradients.ts';
import { wasmLinearForward } from './kernels/layer-kernels.ts';
import { cheaperOrientation, forwardOrientationOf, type Orientation } from './kernels/matmul-orientation.ts';

const STACKED_LINEAR = 'LtxStackedLinear';
const STACKED_PRODUCT = 'LtxStackedProduct';
const STACKED_BIAS_GRADIENT = 'LtxStackedBiasGradient';

/** The backends whose alone layers the kernels below reproduce (others train replicates one by one). */
export function hasStackedLayers(backendName: string): boolean {
  return backendName === 'wasm' || backendName === 'cpu';
}

/** y[r] = x[r]·w[r] + b[r] for every member r, each as its own dense layer computes it. */
export function stackedLinear(x: tf.Tensor3D, w: tf.Tensor3D, b?: tf.Tensor2D): tf.Tensor3D {
  registerFor(tf.getBackend());
  const inputs: tf.NamedTensorMap = b === undefined ? { x, w } : { x, w, b };
  // The orientation each member's own layer takes.
  const orientation = forwardOrientationOf(x.shape[1], x.shape[2], w.shape[2]);
  return tf.engine().runKernel(STACKED_LINEAR, inputs, { orientation }) as tf.Tensor3D;
}

type Backend = tf.KernelBackend;

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: {};
  attrs?: tf.NamedAttrMap;
}

/** Runs `kernelName` of the current backend on TensorInfos; the caller owns the result. */
function callKernel(backend: Backend, kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: object = {}): tf.TensorInfo {
  const kernel = tf.getKernel(kernelName, tf.getBackend());
  if (kernel === undefined) throw new Error(`backend '${tf.getBackend()}' has no '${kernelName}' kernel`);
  const out = kernel.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap });
  if (Array.isArray(out)) throw new Error(`kernel '${kernelName}' returned several outputs`);
  return out;
}

function dispose(backend: Backend, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/**
 * Calls `member` on each member's slices of `stacked` (tensors [R, ...]) and stacks what it returns;
 * the slices and the members' results are freed.
 */
function perMember(backend: Backend, stacked: tf.TensorInfo[], member: (slices: tf.TensorInfo[]) => tf.TensorInfo): tf.TensorInfo {
  return tf.getBackend() === 'wasm'
    ? perMemberInHeap(backend as unknown as BackendWasm, stacked, member)
    : perMemberOnHost(backend, stacked, member);
}

function sliceShape(info: tf.TensorInfo): { shape: number[]; size: number } {
  const shape = info.shape.slice(1);
  return { shape, size: shape.reduce((a, b) => a * b, 1) };
}

function perMemberOnHost(backend: Backend, stacked: tf.TensorInfo[], member: (slices: tf.TensorInfo[]) => tf.TensorInfo): tf.TensorInfo {
  const count = stacked[0]!.shape[0]!;
  const values = stacked.map((info) => backend.readSync(info.dataId) as Float32Array);
  let out: Float32Array | undefined;
  let shape: number[] = [];
  for (let r = 0; r < count; r++) {
    const slices = stacked.map((info, i) => {
      const { shape: at, size } = sliceShape(info);
      return { dataId: backend.write(values[i]!.slice(r * size, (r + 1) * size), at, 'float32'), shape: at, dtype: 'float32' as const };
    });
    const result = member(slices);
    const data = backend.readSync(result.dataId) as Float32Array;
    out ??= new Float32Array(count * data.length);
    out.set(data, r * data.length);
    shape = result.shape;
    dispose(backend, result, ...slices);
  }
  const outShape = [count, ...shape];
  return { dataId: backend.write(out!, outShape, 'float32'), shape: outShape, dtype: 'float32' };
}

/** perMember on the wasm backend: slices and results copied within its heap, no host arrays. */
function perMemberInHeap(wasm: BackendWasm, stacked: tf.TensorInfo[], member: (slices: tf.TensorInfo[]) => tf.TensorInfo): tf.TensorInfo {
  const count = stacked[0]!.shape[0]!;
  let out: tf.TensorInfo | undefined;
  for (let r = 0; r < count; r++) {
    const slices = stacked.map((info) => {
      const { shape, size } = sliceShape(info);
      const slice = wasm.makeOutput(shape, 'float32');
      // Views after the allocation: it may have grown (and so moved) the heap.
      heapView(wasm, slice).set(heapView(wasm, info).subarray(r * size, (r + 1) * size));
      return slice;
    });
    const result = member(slices);
    const { size } = sliceShape({ ...result, shape: [1, ...result.shape] });
    out ??= wasm.makeOutput([count, ...result.shape], 'float32');
    heapView(wasm, out).set(heapView(wasm, result), r * size);
    release(wasm, result, ...slices);
  }
  return out!;
}

/** op(l)·op(r) as stdlib/nn/kernels/matmul-orientation.ts's `product` computes it on this backend. */
function product(backend: Backend, l: tf.TensorInfo, transposeL: boolean, r: tf.TensorInfo, transposeR: boolean): tf.TensorInfo {
  if (tf.getBackend() !== 'wasm') return callKernel(backend, tf.BatchMatMul, { a: l, b: r }, { transposeA: transposeL, transposeB: transposeR });
  const wasm = backend as unknown as BackendWasm;
  const plain = { transposeA: false, transposeB: false };
  const transpose = (x: tf.TensorInfo) => callWasmKernel(wasm, tf.Transpose, { x }, { perm: [1, 0] });
  const [m, k] = transposeL ? [l.shape[1]!, l.shape[0]!] : [l.shape[0]!, l.shape[1]!];
  const n = transposeR ? r.shape[0]! : r.shape[1]!;
  if (cheaperOrientation(m, k, n, transposeL, transposeR) === 'direct') {
    const a = transposeL ? transpose(l) : l;
    const b = transposeR ? transpose(r) : r;
    const y = callWasmKernel(wasm, tf.BatchMatMul, { a, b }, plain);
    release(wasm, ...[a, b].filter((t) => t !== l && t !== r));
    return y;
  }
  const rT = transposeR ? r : transpose(r);
  const lT = transposeL ? l : transpose(l);
  const yT = callWasmKernel(wasm, tf.BatchMatMul, { a: rT, b: lT }, plain);
  const y = transpose(yT);
  release(wasm, yT, ...[rT, lT].filter((t) => t !== l && t !== r));
  return y;
}

function stackedLinearKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const be = backend as Backend;
  const { x, w, b } = inputs;
  if (x === undefined || w === undefined) throw new Error('a stacked linear layer needs x and w');
  const orientation = (attrs?.['orientation'] ?? 'direct') as Orientation;
  return perMember(be, b === undefined ? [x, w] : [x, w, b], ([xr, wr, br]) => {
    if (tf.getBackend() === 'wasm') {
      return wasmLinearForward({ inputs: br === undefined ? { x: xr!, w: wr! } : { x: xr!, w: wr!, b: br }, backend, attrs: { orientation } });
    }
    const y = callKernel(be, tf.BatchMatMul, { a: xr!, b: wr! }, { transposeA: false, transposeB: false });
    if (br === undefined) return y;
    const withBias = callKernel(be, tf.Add, { a: y, b: br });
    dispose(be, y);
    return withBias;
  });
}

function stackedProductKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const be = backend as Backend;
  const transposeL = attrs?.['transposeL'] === true;
  const transposeR = attrs?.['transposeR'] === true;
  return perMember(be, [inputs['l']!, inputs['r']!], ([l, r]) => product(be, l!, transposeL, r!, transposeR));
}

/** Each member's bias gradient: its dy summed over the batch, as tf.sum(dy, 0) does alone. */
function stackedBiasGradientKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const be = backend as Backend;
  return perMember(be, [inputs['dy']!], ([dy]) => callKernel(be, tf.Sum, { x: dy! }, { axis: [0], keepDims: false }));
}

function stackedProduct(l: tf.Tensor, transposeL: boolean, r: tf.Tensor, transposeR: boolean): tf.Tensor3D {
  return tf.engine().runKernel(STACKED_PRODUCT, { l, r }, { transposeL, transposeR }) as tf.Tensor3D;
}

tf.registerGradient({
  kernelName: STACKED_LINEAR,
  inputsToSave: ['x', 'w'],
  gradFunc: (dy, saved) => {
    const [x, w] = saved as [tf.Tensor3D, tf.Tensor3D];
    const g = dy as tf.Tensor3D;
    return {
      x: () => stackedProduct(g, false, w, true),
      w: () => stackedProduct(x, true, g, false),
      b: () => tf.engine().runKernel(STACKED_BIAS_GRADIENT, { dy: g }) as tf.Tensor2D,
    };
  },
});

const registered = new Set<string>();

function registerFor(backendName: string): void {
  if (registered.has(backendName)) return;
  if (!hasStackedLayers(backendName)) throw new Error(`stacked dense layers are not available on the ${backendName} backend`);
  tf.registerKernel({ kernelName: STACKED_LINEAR, backendName, kernelFunc: stackedLinearKernel });
  tf.registerKernel({ kernelName: STACKED_PRODUCT, backendName, kernelFunc: stackedProductKernel });
  tf.registerKernel({ kernelName: STACKED_BIAS_GRADIENT, backendName, kernelFunc: stackedBiasGradientKernel });
  registered.add(backendName);
}
