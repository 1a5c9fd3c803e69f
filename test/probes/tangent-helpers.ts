// Shared setup for the linearization, kernel_distance and llc tests: models as stage refs, checkpoints
// with hand-chosen weights, hand-built regression data, and float64 references (a least-squares fit,
// an mlp forward) to compare the float32 probes against.
import type { Checkpoint, Mask } from '../../core/artifacts.ts';
import type { LoadedDataset } from '../../stdlib/datasets/index.ts';
import { modelLayout } from '../../stdlib/models/layout.ts';
import { createRng } from '../../stdlib/random.ts';
import type { Ref } from '../training/helpers.ts';

export type Activation = 'relu' | 'tanh' | 'linear';

export function mlpModel(input: number, hidden: number[], classes: number, activation: Activation, bias = true): Ref {
  return { op: 'mlp', version: 1, params: { input, hidden, classes, activation, bias } };
}

/** A checkpoint of `model` with the given weights; parameters not given are zero. */
export function checkpointWith(model: Ref, values: Record<string, Float32Array> = {}, mask?: Mask): Checkpoint {
  const layout = modelLayout(model.op, model.params);
  const weights = new Map(layout.params.map((spec) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const data = values[spec.name] ?? new Float32Array(size);
    if (data.length !== size) throw new Error(`${spec.name} needs ${size} values, got ${data.length}`);
    return [spec.name, { shape: spec.shape, data }];
  }));
  const checkpoint: Checkpoint = { kind: 'checkpoint', model, step: 0, weights };
  if (mask) checkpoint.mask = mask;
  return checkpoint;
}

/** Number of trainable parameters (d of a regular model, λ = d/2). */
export function parameterCount(model: Ref): number {
  return modelLayout(model.op, model.params).params.reduce((sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1), 0);
}

/** Regression data (train = test): N(0, 1) inputs, targets y = x A + b + noise·N(0, 1), or zero targets. */
export function linearRegressionData(n: number, inputs: number, outputs: number, noise: number, teacher = true): LoadedDataset {
  const rng = createRng(1, 'test/regression');
  const x = rng.fillNormal(new Float32Array(n * inputs));
  const y = new Float32Array(n * outputs);
  if (teacher) {
    for (let i = 0; i < n; i++) {
      for (let o = 0; o < outputs; o++) {
        let value = 0.3 * Math.cos(o);
        for (let j = 0; j < inputs; j++) value += Math.sin(1 + o * inputs + j) * x[i * inputs + j]!;
        y[i * outputs + o] = value + noise * rng.normal();
      }
    }
  }
  const split = { x, y, n };
  return { name: 'hand-built', task: 'regression', inputShape: [inputs], classes: outputs, train: split, test: split };
}

/** The least-squares fit (with bias) of the train split, in float64: the minimum of the mean squared error. */
export function leastSquares(data: LoadedDataset): { 'output.weight': Float32Array; 'output.bias': Float32Array } {
  const { x, y, n } = data.train;
  const m = data.inputShape[0]!;
  const k = data.classes;
  const p = m + 1;
  // Normal equations [X 1]ᵀ[X 1] β = [X 1]ᵀ Y, solved by Gauss-Jordan elimination with partial pivoting.
  const rows = Array.from({ length: p }, () => new Float64Array(p + k));
  for (let i = 0; i < n; i++) {
    const features = [...x.subarray(i * m, (i + 1) * m), 1];
    for (let a = 0; a < p; a++) {
      for (let c = 0; c < p; c++) rows[a]![c]! += features[a]! * features[c]!;
      for (let o = 0; o < k; o++) rows[a]![p + o]! += features[a]! * y[i * k + o]!;
    }
  }
  for (let c = 0; c < p; c++) {
    let pivot = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(rows[r]![c]!) > Math.abs(rows[pivot]![c]!)) pivot = r;
    [rows[c], rows[pivot]] = [rows[pivot]!, rows[c]!];
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const factor = rows[r]![c]! / rows[c]![c]!;
      for (let j = c; j < p + k; j++) rows[r]![j]! -= factor * rows[c]![j]!;
    }
  }
  const weight = new Float32Array(m * k);
  const bias = new Float32Array(k);
  for (let a = 0; a < p; a++) {
    for (let o = 0; o < k; o++) {
      const value = rows[a]![p + o]! / rows[a]![a]!;
      if (a < m) weight[a * k + o] = value;
      else bias[o] = value;
    }
  }
  return { 'output.weight': weight, 'output.bias': bias };
}

/** Seeded N(0, std²) values. */
export function normalValues(size: number, seed: number, std = 1): Float32Array {
  return createRng(seed, 'test/values').fillNormal(new Float32Array(size), 0, std);
}

/** A keep-mask of `model` from 0/1 arrays by parameter name (parameters not named are dense). */
export function maskOf(model: Ref, keep: Record<string, number[]>): Mask {
  const layout = modelLayout(model.op, model.params);
  const masks = new Map<string, { shape: number[]; data: Uint8Array }>();
  for (const [name, bits] of Object.entries(keep)) {
    const spec = layout.params.find((p) => p.name === name);
    if (!spec) throw new Error(`no parameter ${name}`);
    masks.set(name, { shape: spec.shape, data: Uint8Array.from(bits) });
  }
  return { kind: 'mask', model, masks };
}
