// Train/test splitting shared by the loaders. Split sizes are a pure function of the example count and
// the fraction, so the compiler can know them (for `epochs`) without loading anything; the loaders use
// the same functions, so the two can never disagree.
import type { Rng } from '../random.ts';
import { DatasetError } from './errors.ts';
import type { SplitSizes } from './types.ts';

function nonEmpty(op: string, sizes: SplitSizes, total: number, what: string): SplitSizes {
  if (sizes.train < 1 || sizes.test < 1) {
    throw new DatasetError(
      `${op}: ${what} of ${total} examples leaves ${sizes.train} for training and ${sizes.test} for testing; ` +
        'both splits need at least one example',
    );
  }
  return sizes;
}

/** test = round(total × testFraction), train = the rest. */
export function sizesFromTestFraction(op: string, total: number, testFraction: number): SplitSizes {
  const test = Math.round(total * testFraction);
  return nonEmpty(op, { train: total - test, test }, total, `a test share of ${testFraction}`);
}

/** train = round(total × trainFraction), test = the rest. */
export function sizesFromTrainFraction(op: string, total: number, trainFraction: number): SplitSizes {
  const train = Math.round(total * trainFraction);
  return nonEmpty(op, { train, test: total - train }, total, `a train share of ${trainFraction}`);
}

export interface SplitIndices {
  /** Example indices, ascending. */
  train: Int32Array;
  test: Int32Array;
}

function indicesWhere(flags: Uint8Array, wanted: number): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < flags.length; i++) if (flags[i] === wanted) out.push(i);
  return Int32Array.from(out);
}

/** A seeded split that picks `testCount` examples uniformly at random. */
export function randomSplit(total: number, testCount: number, rng: Rng): SplitIndices {
  const inTest = new Uint8Array(total);
  const order = rng.permutation(total);
  for (let i = 0; i < testCount; i++) inTest[order[i]!] = 1;
  return { train: indicesWhere(inTest, 0), test: indicesWhere(inTest, 1) };
}

/**
 * How many examples of each class go to the test split: proportional to the class's size, rounded by
 * largest remainder (ties to the lower class) so that the quotas add up to exactly `testCount`.
 */
export function stratifiedQuotas(classCounts: readonly number[], testCount: number): number[] {
  const total = classCounts.reduce((a, b) => a + b, 0);
  const quotas = classCounts.map((count) => Math.floor((count * testCount) / total));
  const remainders = classCounts.map((count) => (count * testCount) % total);
  let missing = testCount - quotas.reduce((a, b) => a + b, 0);
  const byRemainder = classCounts.map((_, k) => k).sort((a, b) => remainders[b]! - remainders[a]! || a - b);
  for (const k of byRemainder) {
    if (missing === 0) break;
    quotas[k]! += 1;
    missing -= 1;
  }
  return quotas;
}

/**
 * A seeded stratified split: every class contributes its proportional share to the test split, and
 * within a class the test members are drawn uniformly at random. Labels must be integers 0..classes-1.
 */
export function stratifiedSplit(labels: ArrayLike<number>, classes: number, testCount: number, rng: Rng): SplitIndices {
  const members: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) members[labels[i]!]!.push(i);
  const quotas = stratifiedQuotas(members.map((m) => m.length), testCount);
  const inTest = new Uint8Array(labels.length);
  members.forEach((indices, k) => {
    const order = rng.permutation(indices.length);
    for (let j = 0; j < quotas[k]!; j++) inTest[indices[order[j]!]!] = 1;
  });
  return { train: indicesWhere(inTest, 0), test: indicesWhere(inTest, 1) };
}

/** The rows `rows` (each `rowLength` values long) of a row-major array, in that order. */
export function gatherRows(source: Float32Array, rowLength: number, rows: Int32Array): Float32Array;
export function gatherRows(source: Int32Array, rowLength: number, rows: Int32Array): Int32Array;
export function gatherRows(source: Float32Array | Int32Array, rowLength: number, rows: Int32Array): Float32Array | Int32Array;
export function gatherRows(source: Float32Array | Int32Array, rowLength: number, rows: Int32Array): Float32Array | Int32Array {
  const out = source instanceof Float32Array
    ? new Float32Array(rows.length * rowLength)
    : new Int32Array(rows.length * rowLength);
  for (let r = 0; r < rows.length; r++) {
    const from = rows[r]! * rowLength;
    out.set(source.subarray(from, from + rowLength), r * rowLength);
  }
  return out;
}
