// Seeds in the report: which coordinates of a probe's rows are seeds (loop variables named for one:
// `seed`, `init_seed`, `seeds`...), each row's seed as a legend label, and the mean over seeds with its
// 95% interval (the statistics of `ltx results --over`), for the lines and bands of ticket curves and
// trajectories. Pure.
import type { ResultRow } from '../probe-results.ts';
import { summarize } from '../statistics.ts';

/** A coordinate that repeats an experiment with other randomness rather than changing it. */
export function isSeedVariable(name: string): boolean {
  return /seed/i.test(name);
}

/** The seed coordinates whose values differ among `rows`, in order of first appearance. */
export function varyingSeeds(rows: readonly ResultRow[]): string[] {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.index)))].filter(isSeedVariable);
  return names.filter((name) => new Set(rows.map((r) => String(r.index[name] ?? ''))).size > 1);
}

/** The row's seeds as a legend entry: "0", or "seed=0, order_seed=3" when there are several. */
export function seedLabel(row: ResultRow, seeds: readonly string[]): string {
  if (seeds.length === 1) return String(row.index[seeds[0]!] ?? '');
  return seeds.map((s) => `${s}=${row.index[s] ?? ''}`).join(', ');
}

export interface MeanPoint {
  series: string;
  x: number;
  /** The mean of the metric over the rows of the series at x, its 95% interval (the mean itself for one row), and how many rows. */
  mean: number;
  low: number;
  high: number;
  n: number;
}

/**
 * The mean of metric `y` over the rows of each series that share an x (over seeds, in a figure whose
 * other coordinates make the series), with the 95% interval of `ltx results --over`.
 */
export function meansAlong(rows: readonly ResultRow[], seriesOf: (row: ResultRow) => string, xOf: (row: ResultRow) => number | undefined, y: string): MeanPoint[] {
  const groups = new Map<string, { series: string; x: number; values: number[] }>();
  for (const row of rows) {
    const x = xOf(row);
    const value = row.metrics[y];
    if (x === undefined || value === undefined) continue;
    const series = seriesOf(row);
    const key = JSON.stringify([series, x]);
    const group = groups.get(key) ?? { series, x, values: [] };
    group.values.push(value);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ series, x, values }) => {
    const s = summarize(values);
    return { series, x, mean: s.mean, low: s.ci95?.[0] ?? s.mean, high: s.ci95?.[1] ?? s.mean, n: s.n };
  });
}

/**
 * Series drawn exactly on top of each other (the same points; `x` may hold a panel as well as a position),
 * for the caption to say, since their lines are told apart only by their dashes.
 */
export function coincidingSeries(points: readonly { series: string; x: number | string; y: number }[]): string[][] {
  const bySeries = new Map<string, string>();
  for (const name of new Set(points.map((p) => p.series))) {
    const own = points.filter((p) => p.series === name).map((p) => `${p.x}:${p.y}`).sort();
    bySeries.set(name, own.join(' '));
  }
  const groups = new Map<string, string[]>();
  for (const [name, key] of bySeries) groups.set(key, [...(groups.get(key) ?? []), name]);
  return [...groups.values()].filter((names) => names.length > 1);
}
