// Which dense layers compute over their mask's nonzeros (kernels/sparse-linear.ts): a rule of the mask
// alone, free of TensorFlow.js so that the scheduling side (train-batching.ts) can read it too.

/**
 * Masks that keep at most this share of a dense layer's weights run sparse. A rule of the mask
 * alone (never of timing), so a stage always computes the same way; changing it changes the numbers
 * of the levels between the old and the new value (bump fit's version). Measured on wasm, CPU time
 * of a whole LeNet-300-100 training step at batch 60 with both hidden layers at one density
 * (bench/README.md): sparse and dense cost the same near 70%; at 60% sparse took 18% less, at 40%
 * 37% less, at 5% 70% less.
 */
export const SPARSE_MAX_DENSITY = 0.6;

/** Whether a dense layer's [in, out] keep-mask is sparse enough for the sparse kernels (the whole rule). */
export function runsSparse(keep: ArrayLike<number>, shape: readonly number[]): boolean {
  if (shape.length !== 2) return false;
  let kept = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i] !== 0) kept++;
  return kept <= SPARSE_MAX_DENSITY * keep.length;
}
