// Isotropic Gaussian clusters, one per class. Each sample is its class mean plus N(0, I) noise; the
// means are drawn from N(0, σ²I) with σ = separation / √(2·dim), so that two means lie `separation`
// noise-standard-deviations apart in expectation (E‖μa − μb‖² = separation²). Alone, two such classes
// would be confused Φ(−separation/2) of the time: 2.3% at the default separation of 4.
// Classes are balanced (n/classes each, in random order) and the test split is stratified.
import { createRng } from '../random.ts';
import { arg, LIMITS } from '../signature.ts';
import { defineDataset } from './define.ts';
import { fractionParam, integerParam, positiveNumberParam } from './params.ts';
import { gatherRows, sizesFromTestFraction, stratifiedSplit } from './split.ts';
import type { DatasetParams, LoadedDataset, SplitSizes } from './types.ts';

const OP = 'gaussian_mixture';

interface MixtureParams {
  classes: number;
  dim: number;
  n: number;
  seed: number;
  test: number;
  separation: number;
}

function readParams(params: DatasetParams): MixtureParams {
  return {
    classes: integerParam(OP, params, 'classes', { min: 2 }),
    dim: integerParam(OP, params, 'dim', { min: 1 }),
    n: integerParam(OP, params, 'n', { min: 2 }),
    seed: integerParam(OP, params, 'seed', { default: 0 }),
    test: fractionParam(OP, params, 'test', 0.2),
    separation: positiveNumberParam(OP, params, 'separation', 4),
  };
}

function sizes(params: DatasetParams): SplitSizes {
  const { n, test } = readParams(params);
  return sizesFromTestFraction(OP, n, test);
}

/** The class means, row-major [classes, dim]; they depend on the seed, not on n. */
export function mixtureMeans(classes: number, dim: number, separation: number, seed: number): Float32Array {
  const std = separation / Math.sqrt(2 * dim);
  return createRng(seed, `${OP}/means`).fillNormal(new Float32Array(classes * dim), 0, std);
}

async function load(params: DatasetParams): Promise<LoadedDataset> {
  const { classes, dim, n, seed, test, separation } = readParams(params);
  const { test: testCount } = sizesFromTestFraction(OP, n, test);
  const means = mixtureMeans(classes, dim, separation, seed);

  const labels = new Int32Array(n);
  const order = createRng(seed, `${OP}/labels`).permutation(n);
  for (let i = 0; i < n; i++) labels[order[i]!] = i % classes;

  const x = createRng(seed, `${OP}/noise`).fillNormal(new Float32Array(n * dim));
  for (let i = 0; i < n; i++) {
    const mean = labels[i]! * dim;
    for (let d = 0; d < dim; d++) x[i * dim + d]! += means[mean + d]!;
  }

  const split = stratifiedSplit(labels, classes, testCount, createRng(seed, `${OP}/split`));
  const part = (rows: Int32Array) => ({ x: gatherRows(x, dim, rows), y: gatherRows(labels, 1, rows), n: rows.length });
  return { name: OP, task: 'classification', inputShape: [dim], classes, train: part(split.train), test: part(split.test) };
}

export const gaussianMixture = defineDataset({
  name: OP,
  summary: 'A seeded synthetic classification task: one Gaussian cluster per class.',
  version: 1,
  positional: ['classes', 'dim', 'n'],
  parameters: {
    classes: arg.count('number of classes', LIMITS.width, { minimum: 2 }),
    dim: arg.count('input dimension', LIMITS.width),
    n: arg.count('number of examples (train and test together)', LIMITS.examples, { minimum: 2 }),
    seed: arg.seed('seed of the cluster means and the samples'),
    separation: arg.number('scale of the distances between class means', { exclusiveMinimum: 0, default: 4 }),
    test: arg.fraction('share held out for testing', { default: 0.2, exclusiveMinimum: 0, exclusiveMaximum: 1 }),
  },
  required: ['classes', 'dim', 'n'],
  sizes,
  shape: (params) => {
    const { classes, dim } = readParams(params);
    return { task: 'classification', inputShape: [dim], classes };
  },
  probeSizes: async (params) => sizes(params),
  load,
});
