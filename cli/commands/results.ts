// `ltx results FILE`: every probe's table, rows with their coordinates and the metrics the store
// recorded for them; rows whose stage has not run yet are shown as pending, rows whose stored result
// is damaged as damaged (with what to do about it on stderr); and, on request, each run's training
// curve; or, with --by/--over, the rows aggregated over coordinates (aggregated-results.ts). Read-only.
import type { CompiledProgram } from '../../compiler/compile.ts';
import { describeDivergence } from '../../runtime/divergence.ts';
import { unknownVariables, type Grouping } from '../aggregate.ts';
import { aggregatedCsv, aggregatedJson, aggregatedText, aggregateProbes } from '../aggregated-results.ts';
import type { DivergedInput } from '../diverged-inputs.ts';
import { compileFile, printJson, stopsOnErrors, type CompileFlags } from '../compile-file.ts';
import { damagedRowsNote, failuresOf, formatMetric, readResults, unionOf, type Metrics, type ResultRow } from '../probe-results.ts';
import { paint, plural, table, useColor, type Paint } from '../terminal.ts';
import { readCurves, type ProgramRunCurve } from '../training-curves.ts';
import { EXIT, UsageError } from '../usage.ts';
import { openCache } from './cache.ts';

export type ResultsFormat = 'text' | 'json' | 'csv';

export function resultsFormat(json: boolean, csv: boolean): ResultsFormat {
  if (json && csv) throw new UsageError('ltx results: --json and --csv exclude each other');
  return json ? 'json' : csv ? 'csv' : 'text';
}

/** The grouping `--by` or `--over` asks for (each may be repeated, or hold names separated by commas), if any. */
export function resultsGrouping(by: string[] | undefined, over: string[] | undefined): Grouping | undefined {
  const names = (values: string[]) => values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  if (by !== undefined && over !== undefined) throw new UsageError('ltx results: --by and --over exclude each other (--by keeps the coordinates named, --over all but those)');
  if (by !== undefined) return { by: checkedNames('--by', names(by)) };
  if (over !== undefined) return { over: checkedNames('--over', names(over)) };
  return undefined;
}

function checkedNames(flag: string, names: string[]): string[] {
  if (names.length === 0) throw new UsageError(`ltx results: ${flag} needs the names of loop variables or coordinates (${flag} seed)`);
  return [...new Set(names)];
}

/**
 * `curves`: also the training curves (text: a summary per run after the probes; CSV: every point
 * instead of the probes); `--json` always has them. `grouping`: the probes' rows aggregated instead.
 */
export async function resultsCommand(file: string, compileFlags: CompileFlags, format: ResultsFormat, cacheFlag: string | undefined, curves = false, grouping?: Grouping): Promise<number> {
  if (grouping !== undefined && curves) throw new UsageError(`ltx results: --curves and --${'by' in grouping ? 'by' : 'over'} exclude each other (the curves are not aggregated)`);
  const program = await compileFile(file, compileFlags);
  if (stopsOnErrors(file, program, format === 'json')) return EXIT.invalid;
  if (grouping !== undefined) checkVariables(program, grouping);
  const store = await openCache('results', cacheFlag);
  const probes = await readResults(program, store, { series: format === 'json' && grouping === undefined });
  if (grouping !== undefined) return printAggregated(file, program, probes, format, grouping);
  const runs = format === 'json' || curves ? await readCurves(program, store) : {};
  if (format === 'json') process.stdout.write(JSON.stringify({ file, probes, curves: runs }, null, 2) + '\n');
  else if (format === 'csv') process.stdout.write(curves ? curvesCsv(runs) : toCsv(probes));
  else process.stdout.write(toText(probes, program) + (curves ? `\n${curvesText(runs, program)}` : ''));
  const damaged = damagedRowsNote(Object.values(probes).flat(), file);
  if (damaged !== undefined) process.stderr.write(`ltx: ${damaged}\n`);
  return EXIT.ok;
}

/** A name `--by`/`--over` gives that no probe row has as a coordinate is the flag's error. */
function checkVariables(program: CompiledProgram, grouping: Grouping): void {
  const flag = 'by' in grouping ? '--by' : '--over';
  const names = 'by' in grouping ? grouping.by : grouping.over;
  const rows = program.probes.flatMap((probe) => probe.rows);
  const unknown = unknownVariables(rows, names);
  if (unknown.length === 0) return;
  const known = [...new Set(rows.flatMap((r) => Object.keys(r.index)))];
  const have = known.length > 0 ? `the probes' rows have ${known.map((v) => `'${v}'`).join(', ')}` : 'the probes\' rows have no coordinates';
  throw new UsageError(`ltx results: ${flag} ${unknown.map((v) => `'${v}'`).join(', ')}: no probe row has ${unknown.length === 1 ? 'this coordinate' : 'these coordinates'} (${have})`);
}

function printAggregated(file: string, program: CompiledProgram, probes: Record<string, ResultRow[]>, format: ResultsFormat, grouping: Grouping): number {
  const aggregated = aggregateProbes(probes, grouping);
  const ops = Object.fromEntries(program.probes.map((t) => [t.name, t.op]));
  if (format === 'json') process.stdout.write(aggregatedJson(file, grouping, aggregated));
  else if (format === 'csv') process.stdout.write(aggregatedCsv(aggregated, csvCell));
  else process.stdout.write(aggregatedText(aggregated, ops, grouping));
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
    blocks.push(`${p.bold(probe)} ${p.dim(`${op}, ${done} of ${plural(rows.length, 'row')} computed${onBackends(rows)}`)}\n${table(body, header)}`);
  }
  if (blocks.length === 0) return 'the program has no probes\n';
  const failures = failuresOf(Object.values(probes).flat()).map((failure) => `  ${failure}`);
  if (failures.length > 0) blocks.push(`${p.red('failed')}: rows marked 'failed' have no result because a stage failed in the last run ('ltx run' tries it again):\n${failures.join('\n')}`);
  const warnings = divergedRunsOf(probes).map((run) => `  ${run.stage}: ${describeDivergence(run)}`);
  if (warnings.length > 0) blocks.push(`${p.yellow('warning')}: rows marked 'diverged' measure training that diverged:\n${warnings.join('\n')}`);
  return blocks.join('\n\n') + '\n';
}

/** " on wasm", or " on webgpu (3), wasm (2)" when the rows were computed on several backends; "" for none. */
function onBackends(rows: readonly ResultRow[]): string {
  const counts = new Map<string, number>();
  for (const row of rows) if (row.backend !== undefined) counts.set(row.backend, (counts.get(row.backend) ?? 0) + 1);
  if (counts.size === 0) return '';
  if (counts.size === 1) return ` on ${[...counts.keys()][0]}`;
  return ` on ${[...counts].map(([backend, n]) => `${backend} (${n})`).join(', ')}`;
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

/** One line per run: how far its curve goes, its loss at the start, at the end and at its lowest, its learning rate. */
function curvesText(curves: Record<string, ProgramRunCurve>, program: CompiledProgram): string {
  const p = paint(useColor(process.stdout));
  const runs = Object.entries(curves);
  const heading = p.bold('training curves');
  if (runs.length === 0) {
    const none = program.stages.some((s) => s.kind === 'train') ? 'no run has a recorded curve yet (ltx run computes them)' : 'the program trains nothing';
    return `${heading} ${p.dim(none)}\n`;
  }
  const body = runs.map(([run, c]) => {
    const lowest = c.loss.indexOf(Math.min(...c.loss));
    const lr = c.lr.length === 0 ? '' : Math.min(...c.lr) === Math.max(...c.lr) ? formatMetric(c.lr[0]) : `${formatMetric(c.lr[0])} → ${formatMetric(c.lr.at(-1))}`;
    return [run, `${c.step.at(-1) ?? 0}/${c.steps}`, formatMetric(c.loss[0]), formatMetric(c.loss.at(-1)), `${formatMetric(c.loss[lowest])} (${c.step[lowest]})`, lr];
  });
  const every = [...new Set(runs.map(([, c]) => c.every))];
  const note = `${every.length === 1 && every[0] === 1 ? 'a point every step' : `a point every ${every.join(' or ')} steps`}; every point: --json, or --csv --curves`;
  return `${heading} ${p.dim(note)}\n${table(body, ['RUN', 'STEPS', 'LOSS FIRST', 'LOSS LAST', 'LOWEST (STEP)', 'LR'])}\n`;
}

/** Every point of every curve: run,step,loss,lr. */
function curvesCsv(curves: Record<string, ProgramRunCurve>): string {
  const lines = [['run', 'step', 'loss', 'lr']];
  for (const [run, c] of Object.entries(curves)) c.step.forEach((step, i) => lines.push([run, String(step), String(c.loss[i]), String(c.lr[i])]));
  return lines.map((cells) => cells.map(csvCell).join(',')).join('\n') + '\n';
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
