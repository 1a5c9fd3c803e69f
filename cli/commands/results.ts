// `ltx results FILE`: every probe's table, rows with their coordinates and the metrics the store
// recorded for them; rows whose stage has not run yet are shown as pending, rows whose stored result
// is damaged as damaged (with what to do about it on stderr). Read-only.
import type { CompiledProgram } from '../../compiler/compile.ts';
import type { ParamOverride } from '../../compiler/evaluate.ts';
import { describeDivergence } from '../../runtime/divergence.ts';
import type { DivergedInput } from '../diverged-inputs.ts';
import { compileFile, printJson, stopsOnErrors } from '../compile-file.ts';
import { damagedRowsNote, failuresOf, formatMetric, readResults, unionOf, type Metrics, type ResultRow } from '../probe-results.ts';
import { paint, plural, table, useColor, type Paint } from '../terminal.ts';
import { EXIT, UsageError } from '../usage.ts';
import { openCache } from './cache.ts';

export type ResultsFormat = 'text' | 'json' | 'csv';

export function resultsFormat(json: boolean, csv: boolean): ResultsFormat {
  if (json && csv) throw new UsageError('ltx results: --json and --csv exclude each other');
  return json ? 'json' : csv ? 'csv' : 'text';
}

export async function resultsCommand(file: string, sets: ParamOverride[], format: ResultsFormat, cacheFlag: string | undefined): Promise<number> {
  const program = await compileFile(file, sets);
  if (stopsOnErrors(file, program, format === 'json')) return EXIT.invalid;
  const probes = await readResults(program, await openCache('results', cacheFlag), { series: format === 'json' });
  if (format === 'json') printJson({ file, probes });
  else if (format === 'csv') process.stdout.write(toCsv(probes));
  else process.stdout.write(toText(probes, program));
  const damaged = damagedRowsNote(Object.values(probes).flat(), file);
  if (damaged !== undefined) process.stderr.write(`ltx: ${damaged}\n`);
  return EXIT.ok;
}

function toText(probes: Record<string, ResultRow[]>, program: CompiledProgram): string {
  const p = paint(useColor(process.stdout));
  const blocks: string[] = [];
  for (const [probe, rows] of Object.entries(probes)) {
    const op = program.probes.find((t) => t.name === probe)?.op ?? '';
    const indexColumns = unionOf(rows.map((r) => Object.keys(r.index)));
    const metricColumns = unionOf(rows.map((r) => Object.keys(r.metrics)));
    const showName = new Set(rows.map((r) => r.name)).size > 1 && indexColumns.length === 0;
    // Before anything is computed there are no metric columns yet: the pending marks get a heading.
    const valueHeader = metricColumns.length > 0 ? metricColumns.map((c) => c.toUpperCase()) : ['STATUS'];
    // A column of marks only where a row measured a diverged run: the warnings below say which.
    const marks = rows.some((r) => r.diverged !== undefined);
    const header = [...(showName ? ['NAME'] : []), ...indexColumns.map((c) => c.toUpperCase()), 'SUBJECT', ...valueHeader, ...(marks ? ['TRAINING'] : [])];
    const body = rows.map((r) => [
      ...(showName ? [r.name] : []),
      ...indexColumns.map((c) => String(r.index[c] ?? '')),
      r.subject,
      ...(r.status === 'done' ? metricColumns.map((c) => formatMetric(r.metrics[c])) : [statusCell(r, p)]),
      ...(marks ? [r.diverged ? p.yellow('diverged') : ''] : []),
    ]);
    const done = rows.filter((r) => r.status === 'done').length;
    blocks.push(`${p.bold(probe)} ${p.dim(`${op}, ${done} of ${plural(rows.length, 'row')} computed`)}\n${table(body, header)}`);
  }
  if (blocks.length === 0) return 'the program has no probes\n';
  const failures = failuresOf(Object.values(probes).flat()).map((failure) => `  ${failure}`);
  if (failures.length > 0) blocks.push(`${p.red('failed')}: rows marked 'failed' have no result because a stage failed in the last run ('ltx run' tries it again):\n${failures.join('\n')}`);
  const warnings = divergedRunsOf(probes).map((run) => `  ${run.stage}: ${describeDivergence(run)}`);
  if (warnings.length > 0) blocks.push(`${p.yellow('warning')}: rows marked 'diverged' measure training that diverged:\n${warnings.join('\n')}`);
  return blocks.join('\n\n') + '\n';
}

/** The cell of a row without metrics: pending, damaged, or failed with the stage that failed. */
function statusCell(row: ResultRow, p: Paint): string {
  if (row.status === 'failed') return p.red(`failed: ${row.failure?.stage ?? '?'}`);
  return row.status === 'damaged' ? p.red('damaged') : p.dim('pending');
}

/** Each diverged run the rows measured, once, in the order rows first name them. */
function divergedRunsOf(probes: Record<string, ResultRow[]>): DivergedInput[] {
  const runs = new Map<string, DivergedInput>();
  for (const row of Object.values(probes).flat()) for (const run of row.diverged ?? []) if (!runs.has(run.stage)) runs.set(run.stage, run);
  return [...runs.values()];
}

/** One CSV for all probes: probe, name, the index columns, the metric columns (per-layer ones as LAYER.METRIC). */
function toCsv(probes: Record<string, ResultRow[]>): string {
  const all = Object.entries(probes).flatMap(([probe, rows]) => rows.map((row) => ({ probe, row })));
  const indexColumns = unionOf(all.map(({ row }) => Object.keys(row.index)));
  const flat = all.map(({ probe, row }) => ({ probe, row, metrics: flatMetrics(row) }));
  const metricColumns = unionOf(flat.map((f) => Object.keys(f.metrics)));
  const lines = [['probe', 'name', ...indexColumns, ...metricColumns]];
  for (const { probe, row, metrics } of flat) {
    lines.push([probe, row.name, ...indexColumns.map((c) => String(row.index[c] ?? '')), ...metricColumns.map((c) => metrics[c] === undefined ? '' : String(metrics[c]))]);
  }
  return lines.map((cells) => cells.map(csvCell).join(',')).join('\n') + '\n';
}

function flatMetrics(row: ResultRow): Metrics {
  const flat: Metrics = { ...row.metrics };
  for (const [layer, metrics] of Object.entries(row.layers ?? {})) {
    for (const [name, value] of Object.entries(metrics)) flat[`${layer}.${name}`] = value;
  }
  return flat;
}

function csvCell(cell: string): string {
  return /[",\n\r]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}
