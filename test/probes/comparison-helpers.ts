// Hand-made weights and masks for the comparison probes' tests (mask_overlap, mask_distance,
// weight_distance, instability): every parameter of a layout set from a function of its name.
import type { Checkpoint, Mask, OpRef, TensorValue } from '../../core/artifacts.ts';
import { modelLayout, type ModelLayout } from '../../stdlib/models/layout.ts';

export function layoutOfRef(model: OpRef): ModelLayout {
  return modelLayout(model.op, model.params);
}

/** Weights of every parameter of `model`, each from `values(name, size)` (zeros where it returns nothing). */
export function handWeights(model: OpRef, values: (name: string, size: number) => ArrayLike<number> | undefined = () => undefined): Map<string, TensorValue> {
  const weights = new Map<string, TensorValue>();
  for (const spec of layoutOfRef(model).params) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    const given = values(spec.name, size);
    if (given) {
      if (given.length !== size) throw new Error(`${spec.name} needs ${size} values, got ${given.length}`);
      data.set(given);
    }
    weights.set(spec.name, { shape: [...spec.shape], data });
  }
  return weights;
}

export function handCheckpoint(model: OpRef, weights: Map<string, TensorValue>, mask?: Mask): Checkpoint {
  const checkpoint: Checkpoint = { kind: 'checkpoint', model, step: 0, weights };
  if (mask) checkpoint.mask = mask;
  return checkpoint;
}

/** A keep-mask of every prunable parameter of `model`, from `keep(name, size)` (all kept where it returns nothing). */
export function handMask(model: OpRef, keep: (name: string, size: number) => ArrayLike<number> | undefined = () => undefined): Mask {
  const masks = new Map<string, { shape: number[]; data: Uint8Array }>();
  for (const spec of layoutOfRef(model).params) {
    if (!spec.prunable) continue;
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const given = keep(spec.name, size);
    const data = given ? Uint8Array.from(given) : new Uint8Array(size).fill(1);
    if (data.length !== size) throw new Error(`${spec.name} needs ${size} mask values, got ${data.length}`);
    masks.set(spec.name, { shape: [...spec.shape], data });
  }
  return { kind: 'mask', model, masks };
}
