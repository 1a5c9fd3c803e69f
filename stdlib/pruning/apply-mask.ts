// weights ⊙ mask: masked entries become exactly +0, kept entries keep their bits; parameters without a
// mask (biases, norms, buffers) are passed through unchanged.
import type { MaskMap } from './types.ts';

export interface WeightTensor {
  shape: number[];
  data: Float32Array;
}

export function applyMask<W extends WeightTensor>(weights: ReadonlyMap<string, W>, masks: MaskMap): Map<string, WeightTensor> {
  for (const name of masks.keys()) {
    if (!weights.has(name)) throw new Error(`the mask covers '${name}', which the weights do not have`);
  }
  const out = new Map<string, WeightTensor>();
  for (const [name, w] of weights) {
    const mask = masks.get(name);
    if (!mask) {
      out.set(name, w);
      continue;
    }
    if (mask.data.length !== w.data.length || mask.shape.some((d, i) => d !== w.shape[i])) {
      throw new Error(`the mask of '${name}' has shape [${mask.shape.join(', ')}], the weights [${w.shape.join(', ')}]`);
    }
    const data = new Float32Array(w.data.length);
    for (let i = 0; i < data.length; i++) if (mask.data[i]) data[i] = w.data[i]!;
    out.set(name, { shape: [...w.shape], data });
  }
  return out;
}
