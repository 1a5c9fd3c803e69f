// The statistics of `ltx results --by/--over` and of the report's bands over seeds: the sample mean and
// standard deviation, and the 95% interval of the mean from Student's t, checked against the t table.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarize, tQuantile975 } from '../../cli/statistics.ts';

const close = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual}, expected ${expected}`);

test('the 95% factor of Student\'s t matches the table for small and large degrees of freedom', () => {
  // Two-sided 95% (one-sided 0.975) critical values of the t distribution.
  const table: [number, number][] = [[1, 12.706], [2, 4.303], [3, 3.182], [4, 2.776], [5, 2.571], [9, 2.262], [10, 2.228], [29, 2.045], [120, 1.980]];
  for (const [df, t] of table) close(tQuantile975(df), t, 5e-4, `df ${df}`);
});

test('a summary: mean, sample standard deviation, extremes and mean ± t·std/√n', () => {
  const s = summarize([1, 2, 3, 4]);
  assert.equal(s.n, 4);
  assert.equal(s.mean, 2.5);
  close(s.std!, Math.sqrt(5 / 3), 1e-12, 'std');
  assert.equal(s.min, 1);
  assert.equal(s.max, 4);
  const half = 3.182446 * Math.sqrt(5 / 3) / 2;
  close(s.ci95![0], 2.5 - half, 1e-5, 'low');
  close(s.ci95![1], 2.5 + half, 1e-5, 'high');
});

test('one value has a mean but no spread: no standard deviation, no interval', () => {
  assert.deepEqual(summarize([0.7]), { n: 1, mean: 0.7, min: 0.7, max: 0.7 });
});
