// The array layout of exported kernels. ltx keeps dense kernels as [in, out] and conv kernels as HWIO
// [kh, kw, c_in, c_out] (TensorFlow's order, which JAX/Flax share); PyTorch's Linear.weight is
// [out, in] and its Conv2d.weight is OIHW [c_out, c_in, kh, kw]. `--layout torch` writes kernels (and
// their masks) in PyTorch's order; every other parameter has the same layout in both.
import type { OpRef } from '../../core/artifacts.ts';
import { modelLayout } from '../../stdlib/models/layout.ts';

export const EXPORT_LAYOUTS = ['ltx', 'torch'] as const;
export type ExportLayout = (typeof EXPORT_LAYOUTS)[number];

export interface Tensor<D extends Float32Array | Uint8Array> {
  shape: number[];
  data: D;
}

/** Where each axis of the torch kernel comes from in the ltx kernel, by rank. */
const TORCH_AXES: Readonly<Record<number, readonly number[]>> = { 2: [1, 0], 4: [3, 2, 0, 1] };

/** A function that puts one parameter (a weight or its mask) in `layout`, for the parameters of `model`. */
export function layoutFor(layout: ExportLayout, model: OpRef): <D extends Float32Array | Uint8Array>(param: string, tensor: Tensor<D>) => Tensor<D> {
  if (layout === 'ltx') return (_param, tensor) => tensor;
  const kernels = new Set(modelLayout(model.op, model.params).params.filter((p) => p.role === 'weight').map((p) => p.name));
  return (param, tensor) => {
    const axes = kernels.has(param) ? TORCH_AXES[tensor.shape.length] : undefined;
    return axes === undefined ? tensor : permuted(tensor, axes);
  };
}

/** The tensor with its axes reordered: result axis i is source axis axes[i] (numpy's transpose). */
export function permuted<D extends Float32Array | Uint8Array>(tensor: Tensor<D>, axes: readonly number[]): Tensor<D> {
  const shape = axes.map((axis) => tensor.shape[axis]!);
  const sourceStrides = stridesOf(tensor.shape);
  const strides = axes.map((axis) => sourceStrides[axis]!);
  const data = new (tensor.data.constructor as new (length: number) => D)(tensor.data.length);
  const index = new Array<number>(shape.length).fill(0);
  for (let out = 0; out < data.length; out++) {
    let source = 0;
    for (let d = 0; d < shape.length; d++) source += index[d]! * strides[d]!;
    data[out] = tensor.data[source]!;
    // Advance the row-major index of the result, last axis fastest.
    for (let d = shape.length - 1; d >= 0 && ++index[d]! === shape[d]; d--) index[d] = 0;
  }
  return { shape, data };
}

function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) strides[d] = strides[d + 1]! * shape[d + 1]!;
  return strides;
}
