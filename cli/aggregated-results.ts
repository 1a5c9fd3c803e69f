// `ltx results --by VAR... / --over VAR...`: every probe's rows aggregated over coordinates (aggregate.ts),
// one line per group and metric: n, mean, std, min, max and the 95% interval of the mean, as text, JSON
// or CSV.
import { aggregateRows, type Grouping, type RowGroup } from './aggregate.ts';
import type { ResultRow } from './probe-results.ts';
import { formatMetric } from './probe-results.ts';
import type { Summary } from './statistics.ts';
import { paint, plural, table, useColor } from './terminal.ts';

export type AggregatedProbes = Record<string, RowGroup[]>;

export function aggregateProbes(probes: Record<string, ResultRow[]>, grouping: Grouping): AggregatedProbes {
  return Object.fromEntries(Object.entries(probes).map(([name, rows]) => [name, aggregateRows(rows, grouping)]));
}

/** How the grouping reads in headings: "over seed", "by level, seed". */
export function describeGrouping(grouping: Grouping): string {
  return 'by' in grouping ? `by ${grouping.by.join(', ')}` : `over ${grouping.over.join(', ')}`;
}

export function aggregatedJson(file: string, grouping: Grouping, probes: AggregatedProbes): string {
  return JSON.stringify({ file, grouping, probes }, null, 2) + '\n';
}

const STATISTICS = ['N', 'MEAN', 'STD', 'MIN', 'MAX', '95% CI'];

function statisticCells(s: Summary): string[] {
  const interval = s.ci95 ? `${formatMetric(s.ci95[0])} – ${formatMetric(s.ci95[1])}` : '';
  return [String(s.n), formatMetric(s.mean), formatMetric(s.std), formatMetric(s.min), formatMetric(s.max), interval];
}

/** The coordinates the groups of all `probes` keep, in order of first appearance. */
function variablesOf(groups: readonly RowGroup[]): string[] {
  return [...new Set(groups.flatMap((g) => Object.keys(g.index)))];
}

export function aggregatedText(probes: AggregatedProbes, ops: Record<string, string>, grouping: Grouping): string {
  const p = paint(useColor(process.stdout));
  const blocks: string[] = [];
  for (const [probe, groups] of Object.entries(probes)) {
    const variables = variablesOf(groups);
    const body = groups.flatMap((g) => {
      const coordinates = variables.map((v) => String(g.index[v] ?? ''));
      const metrics = Object.entries(g.metrics);
      if (metrics.length === 0) return [[...coordinates, p.dim('pending'), '0', '', '', '', '', '']];
      return metrics.map(([metric, s]) => [...coordinates, metric, ...statisticCells(s)]);
    });
    const rows = groups.reduce((n, g) => n + g.rows, 0);
    const done = groups.reduce((n, g) => n + g.done, 0);
    const heading = `${p.bold(probe)} ${p.dim(`${ops[probe] ?? ''}, ${describeGrouping(grouping)}: ${plural(groups.length, 'group')} of ${done} of ${plural(rows, 'row')} computed`)}`;
    blocks.push(`${heading}\n${table(body, [...variables.map((v) => v.toUpperCase()), 'METRIC', ...STATISTICS])}`);
  }
  if (blocks.length === 0) return 'the program has no probes\n';
  return blocks.join('\n\n') + '\n';
}

/** One CSV for all probes: probe, the kept coordinates, metric, n, mean, std, min, max, ci95_low, ci95_high. */
export function aggregatedCsv(probes: AggregatedProbes, csvCell: (cell: string) => string): string {
  const variables = variablesOf(Object.values(probes).flat());
  const lines = [['probe', ...variables, 'metric', 'n', 'mean', 'std', 'min', 'max', 'ci95_low', 'ci95_high']];
  const number = (value: number | undefined) => (value === undefined ? '' : String(value));
  for (const [probe, groups] of Object.entries(probes)) {
    for (const g of groups) {
      for (const [metric, s] of Object.entries(g.metrics)) {
        lines.push([probe, ...variables.map((v) => String(g.index[v] ?? '')), metric, String(s.n), number(s.mean), number(s.std), number(s.min), number(s.max), number(s.ci95?.[0]), number(s.ci95?.[1])]);
      }
    }
  }
  return lines.map((cells) => cells.map(csvCell).join(',')).join('\n') + '\n';
}
