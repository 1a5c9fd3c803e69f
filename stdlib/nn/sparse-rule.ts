// Which dense layers compute over their mask's nonzeros (kernels/sparse-linear.ts): a rule of the mask
// alone, free of TensorFlow.js so that the scheduling side (train-batching.ts) can read it too.

/**
 * Masks that keep at most this share of a dense layer's weights run sparse. A rule of the mask
 * alone (never of timing), so a stage always computes the same way; changing it changes the numbers
 * of the levels between the old and the new value (bump fit's version). Measured on wasm, CPU time
 * of a whole LeNet-300-100 training step at batch 60 with both hidden layers at one density, the
 * weights masked dense (bench/README.md): sparse took 8% less than dense at 80%, 11% less at 70%,
 * 12% at 65%; trained compact (training/compact-weights.ts) it saves more. The crossover lies above
 * 80% here; 75% leaves a margin for machines where it lies lower.
 */
export const SPARSE_MAX_DENSITY = 0.75;

/** Whether a dense layer's [in, out] keep-mask is sparse enough for the sparse kernels (the whole rule). */
export function runsSparse(keep: ArrayLike<number>, shape: readonly number[]): boolean {
  if (shape.length !== 2) return false;
  let kept = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i] !== 0) kept++;
  return kept <= SPARSE_MAX_DENSITY * keep.length;
}
