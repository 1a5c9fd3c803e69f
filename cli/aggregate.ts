// A probe's rows aggregated over coordinates (seeds, most often): rows that agree on the coordinates
// kept form a group, and each metric of the group's computed rows is summarized (statistics.ts).
// `by`: keep exactly these coordinates; `over`: keep every coordinate but these. Pure; shared by
// `ltx results --by/--over` and the report's bands over seeds.
import type { ResultRow } from './probe-results.ts';
import { summarize, type Summary } from './statistics.ts';

export type Grouping = { by: string[] } | { over: string[] };

export interface RowGroup {
  /** The kept coordinates' values (a row without one of them has none here). */
  index: { [variable: string]: number | string };
  /** Rows in the group, computed or not. */
  rows: number;
  /** Rows in the group that are computed: what the summaries are of. */
  done: number;
  /** Each metric the computed rows carry, summarized over them (per-layer metrics are not). */
  metrics: { [metric: string]: Summary };
}

/** The coordinates `grouping` keeps of rows with these coordinates, in their order. */
export function keptVariables(rows: readonly ResultRow[], grouping: Grouping): string[] {
  if ('by' in grouping) return grouping.by;
  const present = [...new Set(rows.flatMap((r) => Object.keys(r.index)))];
  return present.filter((v) => !grouping.over.includes(v));
}

/** The groups of `rows`, in the order their first row appears. */
export function aggregateRows(rows: readonly ResultRow[], grouping: Grouping): RowGroup[] {
  const kept = keptVariables(rows, grouping);
  const groups = new Map<string, { index: RowGroup['index']; members: ResultRow[] }>();
  for (const row of rows) {
    const index = Object.fromEntries(kept.filter((v) => row.index[v] !== undefined).map((v) => [v, row.index[v]!]));
    const key = JSON.stringify(kept.map((v) => row.index[v] ?? null));
    const group = groups.get(key) ?? { index, members: [] };
    group.members.push(row);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ index, members }) => {
    const computed = members.filter((r) => r.status === 'done');
    const names = [...new Set(computed.flatMap((r) => Object.keys(r.metrics)))];
    const metrics: RowGroup['metrics'] = {};
    for (const name of names) metrics[name] = summarize(computed.flatMap((r) => (r.metrics[name] === undefined ? [] : [r.metrics[name]])));
    return { index, rows: members.length, done: computed.length, metrics };
  });
}

/** The coordinates of `names` that no row has: what a `--by`/`--over` flag misspelt. */
export function unknownVariables(rows: readonly Pick<ResultRow, 'index'>[], names: readonly string[]): string[] {
  const present = new Set(rows.flatMap((r) => Object.keys(r.index)));
  return names.filter((n) => !present.has(n));
}
