// Sparse layers train compact: a layer whose mask runs the sparse kernels keeps only its kept
// weights and their optimizer slots on the backend during a segment ([nnz] tensors in row-major
// order), so the update and the weight gradient cost its density, not its size. The checkpoint is
// dense again: the kept values scattered into the start's weights, whose pruned entries the masked
// update would not have changed.
//
// Same bits as the masked dense update, by the masked formula's arithmetic (optimizers/formula-
// optimizer.ts): a kept entry is computed with mask 1 (x·1 = x exactly), and a pruned entry keeps its
// weight and its +0 slots when the weight is ±0 and the slots are +0 at the start (its gradient is
// +0 from the sparse kernels: every term of the update is then +0, and w − (+0) = w, w · 0 = w for
// w = ±0). A start that breaks this (pruned weights not zero, or optimizer state carried from
// training without the mask) trains masked dense instead. test/training/compact-weights.test.ts
// checks the bits for every optimizer.
import type { TensorValue } from '../../core/artifacts.ts';
import { nonzeroIndices, type SparsePattern } from '../nn/ops.ts';

/** A parameter trained compact: where its nonzeros go, and the dense start they go into. */
export interface CompactParameter {
  indices: Int32Array;
  start: TensorValue;
}

/**
 * The parameter's compact form if training it compact gives the masked dense update's bits: its
 * pruned weights are zeros and its resumed slots (absent: fresh zeros) are +0 there.
 */
export function compactParameter(pattern: SparsePattern, start: TensorValue, slots: readonly (TensorValue | undefined)[]): CompactParameter | undefined {
  const indices = nonzeroIndices(pattern);
  const kept = new Uint8Array(start.data.length);
  for (const i of indices) kept[i] = 1;
  for (let i = 0; i < kept.length; i++) {
    if (kept[i]) continue;
    if (start.data[i] !== 0) return undefined;
    for (const slot of slots) if (slot !== undefined && !Object.is(slot.data[i], 0)) return undefined;
  }
  return { indices, start };
}

/** `base` (a copy) with `values` at `indices`. */
export function scatterInto(base: Float32Array, indices: Int32Array, values: Float32Array): Float32Array {
  const out = Float32Array.from(base);
  for (let k = 0; k < indices.length; k++) out[indices[k]!] = values[k]!;
  return out;
}
