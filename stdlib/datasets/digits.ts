// The bundled 8×8 handwritten digits (UCI Optical Recognition of Handwritten Digits, test set, as
// distributed with scikit-learn): data/digits.csv.gz, one row per image: 64 pixel counts 0..16, then
// the label. Split by a seeded *stratified* shuffle, so every digit has its share in both splits.
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '../random.ts';
import { arg } from '../signature.ts';
import { defineDataset } from './define.ts';
import { DatasetError } from './errors.ts';
import { DATA_FILE_LIMITS, readDataFile } from './files.ts';
import { fractionParam, integerParam } from './params.ts';
import { gatherRows, sizesFromTestFraction, stratifiedSplit } from './split.ts';
import type { DatasetParams, LoadedDataset, SplitSizes } from './types.ts';

const OP = 'digits';
export const DIGITS_FILE = fileURLToPath(new URL('../../data/digits.csv.gz', import.meta.url));
export const DIGITS_EXAMPLES = 1797;
const SIDE = 8;
const PIXELS = SIDE * SIDE;
const MAX_PIXEL = 16;
const CLASSES = 10;

interface DigitsParams {
  test: number;
  seed: number;
}

function readParams(params: DatasetParams): DigitsParams {
  return { test: fractionParam(OP, params, 'test', 0.2), seed: integerParam(OP, params, 'seed', { default: 0 }) };
}

function sizes(params: DatasetParams): SplitSizes {
  return sizesFromTestFraction(OP, DIGITS_EXAMPLES, readParams(params).test);
}

interface DigitsTable {
  /** Pixels scaled to [0, 1], row-major per image. */
  pixels: Float32Array;
  labels: Int32Array;
}

function damaged(problem: string, line?: number): DatasetError {
  const where = line === undefined ? DIGITS_FILE : `${DIGITS_FILE}:${line}`;
  return new DatasetError(`${where}: ${problem} (the bundled digits file is damaged)`, DIGITS_FILE);
}

function parseTable(text: string): DigitsTable {
  const rows = text.split('\n').filter((row) => row.trim() !== '');
  if (rows.length !== DIGITS_EXAMPLES) {
    throw damaged(`expected ${DIGITS_EXAMPLES} rows, found ${rows.length}`);
  }
  const pixels = new Float32Array(DIGITS_EXAMPLES * PIXELS);
  const labels = new Int32Array(DIGITS_EXAMPLES);
  rows.forEach((row, r) => {
    const fields = row.split(',').map(Number);
    if (fields.length !== PIXELS + 1) throw damaged(`expected ${PIXELS + 1} values, found ${fields.length}`, r + 1);
    for (let p = 0; p < PIXELS; p++) {
      const value = fields[p]!;
      if (!Number.isInteger(value) || value < 0 || value > MAX_PIXEL) throw damaged(`pixel ${p} is ${value}, expected 0..${MAX_PIXEL}`, r + 1);
      pixels[r * PIXELS + p] = value / MAX_PIXEL;
    }
    const label = fields[PIXELS]!;
    if (!Number.isInteger(label) || label < 0 || label >= CLASSES) throw damaged(`label ${label} is outside 0..${CLASSES - 1}`, r + 1);
    labels[r] = label;
  });
  return { pixels, labels };
}

async function load(params: DatasetParams): Promise<LoadedDataset> {
  const { test, seed } = readParams(params);
  const { test: testCount } = sizesFromTestFraction(OP, DIGITS_EXAMPLES, test);
  const table = parseTable(new TextDecoder().decode(await readDataFile(DIGITS_FILE, 'the bundled digits file', DATA_FILE_LIMITS.text)));
  const split = stratifiedSplit(table.labels, CLASSES, testCount, createRng(seed, 'digits/split'));
  const part = (rows: Int32Array) => ({
    x: gatherRows(table.pixels, PIXELS, rows),
    y: gatherRows(table.labels, 1, rows),
    n: rows.length,
  });
  return {
    name: OP,
    task: 'classification',
    inputShape: [SIDE, SIDE, 1],
    classes: CLASSES,
    train: part(split.train),
    test: part(split.test),
  };
}

export const digits = defineDataset({
  name: OP,
  summary: 'The bundled 8x8 handwritten digits (UCI, 1797 images, 10 classes), split by a seeded shuffle.',
  version: 1,
  positional: ['test'],
  parameters: {
    test: arg.fraction('share of the 1797 images held out for testing', { default: 0.2, exclusiveMinimum: 0, exclusiveMaximum: 1 }),
    seed: arg.seed('seed of the train/test split'),
  },
  sizes,
  shape: () => ({ task: 'classification', inputShape: [SIDE, SIDE, 1], classes: CLASSES }),
  probeSizes: async (params) => sizes(params),
  load,
  files: async () => ({ [basename(DIGITS_FILE)]: DIGITS_FILE }),
});
