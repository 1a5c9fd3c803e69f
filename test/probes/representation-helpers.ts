// Shared setup for the representation probes' tests (cka, unit_roles): an mlp on digits, a copy of it
// with its hidden units permuted (the same function, other unit indices), and the probes' parameters as
// the compiler fills them.
import type { Checkpoint, TensorValue } from '../../core/artifacts.ts';
import type { Json } from '../../core/json.ts';
import type { Representation } from '../../stdlib/probes/representation-math.ts';
import { createRng } from '../../stdlib/random.ts';
import { digits, initCheckpoint, testSplit, type Ref } from '../training/helpers.ts';

export const net: Ref = { op: 'mlp', version: 1, params: { input: 64, hidden: [24, 16], classes: 10, activation: 'relu', bias: true } };

export function probeParams(extra: { [key: string]: Json } = {}): { [key: string]: Json } {
  return { on: testSplit(digits), layer: [], samples: 200, seed: 0, ...extra };
}

export async function digitsNet(seed = 1): Promise<Checkpoint> {
  return initCheckpoint(net, seed);
}

/** [in, out] row-major with its columns (the layer's units) reordered: column j of the result is column order[j]. */
function permuteColumns(w: TensorValue, order: Int32Array): TensorValue {
  const [rows, cols] = w.shape as [number, number];
  const data = new Float32Array(w.data.length);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) data[r * cols + j] = w.data[r * cols + order[j]!]!;
  return { shape: w.shape, data };
}

function permuteRows(w: TensorValue, order: Int32Array): TensorValue {
  const cols = w.data.length / order.length;
  const data = new Float32Array(w.data.length);
  for (let i = 0; i < order.length; i++) data.set(w.data.subarray(order[i]! * cols, (order[i]! + 1) * cols), i * cols);
  return { shape: w.shape, data };
}

/**
 * The same network with the units of hidden layer `layer` reordered by a seeded derangement: the
 * layer's kernel columns and biases move, and the next layer's kernel rows with them.
 */
export function withPermutedUnits(checkpoint: Checkpoint, layer: string, next: string, seed = 3): Checkpoint {
  const units = checkpoint.weights.get(`${layer}.bias`)!.data.length;
  const rng = createRng(seed, 'test/permutation');
  let order = rng.permutation(units);
  while (order.some((u, i) => u === i)) order = rng.permutation(units);
  const weights = new Map(checkpoint.weights);
  weights.set(`${layer}.weight`, permuteColumns(checkpoint.weights.get(`${layer}.weight`)!, order));
  weights.set(`${layer}.bias`, permuteRows(checkpoint.weights.get(`${layer}.bias`)!, order));
  weights.set(`${next}.weight`, permuteRows(checkpoint.weights.get(`${next}.weight`)!, order));
  return { ...checkpoint, weights };
}

/** A representation of `rows` inputs from a function of (row, unit). */
export function representation(rows: number, units: number, value: (row: number, unit: number) => number): Representation {
  const values = new Float64Array(rows * units);
  for (let r = 0; r < rows; r++) for (let u = 0; u < units; u++) values[r * units + u] = value(r, u);
  return { rows, units, values };
}
