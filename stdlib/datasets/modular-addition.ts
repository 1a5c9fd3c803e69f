// Modular addition (the grokking task of Power et al. 2022): every pair (a, b) of residues mod p,
// labelled (a + b) mod p. Inputs are the two tokens [a, b] as int32 (inputShape [2], vocabulary and
// classes p): a transformer reads the sequence `a b` and answers at its last position, which attends to
// both (an `=` token would add a position that carries nothing); an mlp reads the two numbers. A seeded random `train` share of the p² pairs trains,
// the rest tests; within each split pairs come in (a, b) order (the trainer shuffles).
import { createRng } from '../random.ts';
import { arg, LIMITS } from '../signature.ts';
import { defineDataset } from './define.ts';
import { fractionParam, integerParam } from './params.ts';
import { gatherRows, randomSplit, sizesFromTrainFraction } from './split.ts';
import type { DatasetParams, LoadedDataset, SplitSizes } from './types.ts';

const OP = 'modular_addition';

interface ModularParams {
  p: number;
  train: number;
  seed: number;
}

function readParams(params: DatasetParams): ModularParams {
  return {
    p: integerParam(OP, params, 'p', { min: 2 }),
    train: fractionParam(OP, params, 'train', 0.3),
    seed: integerParam(OP, params, 'seed', { default: 0 }),
  };
}

function sizes(params: DatasetParams): SplitSizes {
  const { p, train } = readParams(params);
  return sizesFromTrainFraction(OP, p * p, train);
}

async function load(params: DatasetParams): Promise<LoadedDataset> {
  const { p, train, seed } = readParams(params);
  const total = p * p;
  const { test: testCount } = sizesFromTrainFraction(OP, total, train);
  const pairs = new Int32Array(total * 2);
  const sums = new Int32Array(total);
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const i = a * p + b;
      pairs[2 * i] = a;
      pairs[2 * i + 1] = b;
      sums[i] = (a + b) % p;
    }
  }
  const split = randomSplit(total, testCount, createRng(seed, `${OP}/split`));
  const part = (rows: Int32Array) => ({ x: gatherRows(pairs, 2, rows), y: gatherRows(sums, 1, rows), n: rows.length });
  return { name: OP, task: 'classification', inputShape: [2], classes: p, tokens: p, train: part(split.train), test: part(split.test) };
}

export const modularAddition = defineDataset({
  name: OP,
  summary: 'All pairs (a, b) labelled (a + b) mod p, split at random (the grokking task). Inputs are the tokens `a b` (vocabulary p): a transformer(vocab: p, context: 2, …) is trained and scored on its prediction at the last position.',
  version: 1,
  positional: ['p'],
  parameters: {
    p: arg.count('the modulus (p² pairs)', Math.floor(Math.sqrt(LIMITS.examples)), { minimum: 2 }),
    train: arg.fraction('share of the p² pairs used for training', { default: 0.3, exclusiveMinimum: 0, exclusiveMaximum: 1 }),
    seed: arg.seed('seed of the split'),
  },
  required: ['p'],
  sizes,
  shape: (params) => {
    const { p } = readParams(params);
    return { task: 'classification', inputShape: [2], vocabulary: p, classes: p };
  },
  probeSizes: async (params) => sizes(params),
  load,
});
