// Sparse parity (Barak et al. 2022): inputs are uniform random ±1 vectors of `bits` entries; the label
// is the parity of a hidden, seeded set of k of those bits: 1 when an odd number of them are −1 (their
// product is −1), else 0. Examples are independent, so the last round(n × test) of them form the test
// split.
import { createRng } from '../random.ts';
import { arg, LIMITS } from '../signature.ts';
import { defineDataset } from './define.ts';
import { DatasetError } from './errors.ts';
import { fractionParam, integerParam } from './params.ts';
import { sizesFromTestFraction } from './split.ts';
import type { DatasetParams, LoadedDataset, SplitSizes } from './types.ts';

const OP = 'sparse_parity';

interface ParityParams {
  bits: number;
  k: number;
  n: number;
  seed: number;
  test: number;
}

function readParams(params: DatasetParams): ParityParams {
  const read: ParityParams = {
    bits: integerParam(OP, params, 'bits', { min: 1 }),
    k: integerParam(OP, params, 'k', { min: 1 }),
    n: integerParam(OP, params, 'n', { min: 2 }),
    seed: integerParam(OP, params, 'seed', { default: 0 }),
    test: fractionParam(OP, params, 'test', 0.2),
  };
  if (read.k > read.bits) throw new DatasetError(`${OP}: k (${read.k}) cannot exceed bits (${read.bits})`);
  return read;
}

function sizes(params: DatasetParams): SplitSizes {
  const { n, test } = readParams(params);
  return sizesFromTestFraction(OP, n, test);
}

/** The hidden bits whose parity is the label, ascending; a function of (bits, k, seed) only. */
export function paritySubset(bits: number, k: number, seed: number): number[] {
  const order = createRng(seed, `${OP}/subset`).permutation(bits);
  return Array.from(order.subarray(0, k)).sort((a, b) => a - b);
}

async function load(params: DatasetParams): Promise<LoadedDataset> {
  const { bits, k, n, seed, test } = readParams(params);
  const { train: trainCount } = sizesFromTestFraction(OP, n, test);
  const subset = paritySubset(bits, k, seed);
  const rng = createRng(seed, `${OP}/inputs`);
  const x = new Float32Array(n * bits);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < bits; j++) x[i * bits + j] = rng.uniform() < 0.5 ? -1 : 1;
    let negatives = 0;
    for (const j of subset) if (x[i * bits + j]! < 0) negatives++;
    y[i] = negatives % 2;
  }
  const split = (from: number, to: number) => ({ x: x.slice(from * bits, to * bits), y: y.slice(from, to), n: to - from });
  return { name: OP, task: 'classification', inputShape: [bits], classes: 2, train: split(0, trainCount), test: split(trainCount, n) };
}

export const sparseParity = defineDataset({
  name: OP,
  summary: 'Random bit strings labelled by the parity of a hidden subset of k bits.',
  version: 1,
  positional: ['bits', 'k', 'n'],
  parameters: {
    bits: arg.count('length of each bit string', LIMITS.width),
    k: arg.count('size of the hidden subset', LIMITS.width),
    n: arg.count('number of examples (train and test together)', LIMITS.examples, { minimum: 2 }),
    seed: arg.seed('seed of the subset and the strings'),
    test: arg.fraction('share held out for testing', { default: 0.2, exclusiveMinimum: 0, exclusiveMaximum: 1 }),
  },
  required: ['bits', 'k', 'n'],
  sizes,
  shape: (params) => ({ task: 'classification', inputShape: [readParams(params).bits], classes: 2 }),
  probeSizes: async (params) => sizes(params),
  load,
});
