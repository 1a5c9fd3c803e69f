// Modular addition (the grokking task of Power et al. 2022): every pair (a, b) of residues mod p,
// labelled (a + b) mod p. A seeded random `train` share of the p² pairs trains, the rest tests; within
// each split pairs come in (a, b) order (the trainer shuffles). Two encodings of a pair:
// - tokens: [a, b] as int32 (inputShape [2], vocabulary and classes p). A transformer reads the sequence
//   `a b` and answers at its last position, which attends to both (an `=` token would add a position
//   that carries nothing).
// - one_hot: the one-hot codes of a and b side by side, 2p floats, for an mlp (two numbers a, b are not
//   something an MLP learns modular addition from: it needs a separate input per residue).
// `encoding` has no default in the schema: programs written before it existed keep their stage keys,
// and an absent encoding means tokens.
import { createRng } from '../random.ts';
import { arg, LIMITS } from '../signature.ts';
import type { DataShape } from '../../core/data-fit.ts';
import { defineDataset } from './define.ts';
import { choiceParam, fractionParam, integerParam } from './params.ts';
import { gatherRows, randomSplit, sizesFromTrainFraction } from './split.ts';
import type { DatasetParams, LoadedDataset, Split, SplitSizes } from './types.ts';

const OP = 'modular_addition';

const ENCODINGS = ['tokens', 'one_hot'] as const;
type Encoding = (typeof ENCODINGS)[number];

interface ModularParams {
  p: number;
  train: number;
  seed: number;
  encoding: Encoding;
}

function readParams(params: DatasetParams): ModularParams {
  return {
    p: integerParam(OP, params, 'p', { min: 2 }),
    train: fractionParam(OP, params, 'train', 0.3),
    seed: integerParam(OP, params, 'seed', { default: 0 }),
    encoding: choiceParam(OP, params, 'encoding', ENCODINGS, 'tokens'),
  };
}

function sizes(params: DatasetParams): SplitSizes {
  const { p, train } = readParams(params);
  return sizesFromTrainFraction(OP, p * p, train);
}

function shapeOf({ p, encoding }: ModularParams): DataShape {
  return encoding === 'tokens'
    ? { task: 'classification', inputShape: [2], vocabulary: p, classes: p }
    : { task: 'classification', inputShape: [2 * p], classes: p };
}

/** Row i of the pairs (a = ⌊i / p⌋, b = i mod p) in the given encoding: [a, b] or the two one-hot codes. */
function encodePairs(p: number, encoding: Encoding): Int32Array | Float32Array {
  const total = p * p;
  if (encoding === 'tokens') {
    const pairs = new Int32Array(total * 2);
    for (let i = 0; i < total; i++) {
      pairs[2 * i] = Math.floor(i / p);
      pairs[2 * i + 1] = i % p;
    }
    return pairs;
  }
  const codes = new Float32Array(total * 2 * p);
  for (let i = 0; i < total; i++) {
    codes[i * 2 * p + Math.floor(i / p)] = 1;
    codes[i * 2 * p + p + (i % p)] = 1;
  }
  return codes;
}

async function load(params: DatasetParams): Promise<LoadedDataset> {
  const read = readParams(params);
  const { p, train, seed, encoding } = read;
  const total = p * p;
  const { test: testCount } = sizesFromTrainFraction(OP, total, train);
  const inputs = encodePairs(p, encoding);
  const sums = new Int32Array(total);
  for (let i = 0; i < total; i++) sums[i] = (Math.floor(i / p) + (i % p)) % p;
  const split = randomSplit(total, testCount, createRng(seed, `${OP}/split`));
  const { inputShape, vocabulary } = shapeOf(read);
  const rowLength = inputShape[0]!;
  const part = (rows: Int32Array): Split => ({
    x: gatherRows(inputs, rowLength, rows),
    y: gatherRows(sums, 1, rows),
    n: rows.length,
  });
  return {
    name: OP, task: 'classification', inputShape, classes: p, ...(vocabulary !== undefined && { tokens: vocabulary }),
    train: part(split.train), test: part(split.test),
  };
}

export const modularAddition = defineDataset({
  name: OP,
  summary: 'All pairs (a, b) labelled (a + b) mod p, split at random (the grokking task). With `encoding: "tokens"` (the default) inputs are the tokens `a b` (vocabulary p): a transformer(vocab: p, context: 2, …) is trained and scored on its prediction at the last position. With `encoding: "one_hot"` inputs are the one-hot codes of a and b side by side (2p numbers), for an mlp(input: 2p, …, classes: p).',
  version: 1,
  positional: ['p'],
  parameters: {
    p: arg.count('the modulus (p² pairs)', Math.floor(Math.sqrt(LIMITS.examples)), { minimum: 2 }),
    train: arg.fraction('share of the p² pairs used for training', { default: 0.3, exclusiveMinimum: 0, exclusiveMaximum: 1 }),
    seed: arg.seed('seed of the split'),
    encoding: arg.oneOf([...ENCODINGS], 'how a pair is given to the model: "tokens" (a b, for a transformer; when absent) or "one_hot" (2p numbers, for an mlp)'),
  },
  required: ['p'],
  sizes,
  shape: (params) => shapeOf(readParams(params)),
  probeSizes: async (params) => sizes(params),
  load,
});
