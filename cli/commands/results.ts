// `ltx results FILE`: every probe's table, rows with their coordinates and the metrics the store
// recorded for them; rows whose stage has not run yet are shown as pending. Read-only.
import type { CompiledProgram } from '../../compiler/compile.ts';
import type { ParamOverride } from '../../compiler/evaluate.ts';
import { decodeArtifact } from '../../runtime/artifact-codec.ts';
import type { ActionRecord, JsonObject, JsonValue } from '../../runtime/store/index.ts';
import { Store } from '../../runtime/store/index.ts';
import { compileFile, errorCount, printDiagnostics } from '../compile-file.ts';
import { paint, table, useColor } from '../terminal.ts';
import { EXIT, UsageError } from '../usage.ts';
import { resolveCacheDir } from './cache.ts';

type Metrics = { [name: string]: number };

export interface ResultRow {
  name: string;
  index: { [variable: string]: number | string };
  subject: string;
  metrics: Metrics;
  layers?: { [layer: string]: Metrics };
  /** Series for plots (instability's error path over α, llc's loss traces), in --json only. */
  series?: { [name: string]: number[] | number[][] };
  status: 'done' | 'pending';
}

export type ResultsFormat = 'text' | 'json' | 'csv';

export function resultsFormat(json: boolean, csv: boolean): ResultsFormat {
  if (json && csv) throw new UsageError('ltx results: --json and --csv exclude each other');
  return json ? 'json' : csv ? 'csv' : 'text';
}

export async function resultsCommand(file: string, sets: ParamOverride[], format: ResultsFormat, cacheFlag: string | undefined): Promise<number> {
  const program = await compileFile(file, sets);
  printDiagnostics(program.diagnostics, program);
  if (errorCount(program) > 0) return EXIT.invalid;
  const probes = await readResults(program, new Store(resolveCacheDir(cacheFlag)), { series: format === 'json' });
  if (format === 'json') process.stdout.write(JSON.stringify({ file, probes }, null, 2) + '\n');
  else if (format === 'csv') process.stdout.write(toCsv(probes));
  else process.stdout.write(toText(probes, program));
  return EXIT.ok;
}

/** Every probe table of the program, by probe name, with the metrics from the store's records. */
export async function readResults(program: CompiledProgram, store: Store, options: { series?: boolean } = {}): Promise<Record<string, ResultRow[]>> {
  const probes: Record<string, ResultRow[]> = {};
  for (const probe of program.probes) {
    probes[probe.name] = await Promise.all(probe.rows.map(async (row): Promise<ResultRow> => {
      const record = await store.lookup(row.stage);
      const base = { name: row.name, index: row.index, subject: row.subject };
      if (record === undefined) return { ...base, metrics: {}, status: 'pending' };
      const { metrics, layers } = splitMetrics(record.metrics);
      const series = options.series ? await seriesOf(store, record) : undefined;
      return { ...base, metrics, ...(layers === undefined ? {} : { layers }), ...(series ? { series } : {}), status: 'done' };
    }));
  }
  return probes;
}

/** The series a probe stored in its artifact (the record's metrics hold only numbers). */
async function seriesOf(store: Store, record: ActionRecord): Promise<ResultRow['series']> {
  const output = Object.keys(record.outputs).find((name) => record.outputs[name]!.kind === 'probe') ?? Object.keys(record.outputs)[0];
  if (output === undefined) return undefined;
  const artifact = decodeArtifact(await store.readOutput(record, output));
  return artifact.kind === 'probe' && artifact.series && Object.keys(artifact.series).length > 0 ? artifact.series : undefined;
}

/** A record's metrics: numbers at the top, per-layer numbers under `layers`. */
function splitMetrics(recorded: JsonObject): { metrics: Metrics; layers?: { [layer: string]: Metrics } } {
  const metrics: Metrics = {};
  for (const [name, value] of Object.entries(recorded)) if (typeof value === 'number') metrics[name] = value;
  const layers = recorded['layers'];
  if (!isObject(layers)) return { metrics };
  const perLayer: { [layer: string]: Metrics } = {};
  for (const [layer, values] of Object.entries(layers)) {
    if (!isObject(values)) continue;
    perLayer[layer] = {};
    for (const [name, value] of Object.entries(values)) if (typeof value === 'number') perLayer[layer][name] = value;
  }
  return { metrics, layers: perLayer };
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Column names in order of first appearance. */
function unionOf(lists: Iterable<string[]>): string[] {
  const seen = new Set<string>();
  for (const list of lists) for (const item of list) seen.add(item);
  return [...seen];
}

function formatMetric(value: number | undefined): string {
  if (value === undefined) return '';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
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
    const header = [...(showName ? ['NAME'] : []), ...indexColumns.map((c) => c.toUpperCase()), 'SUBJECT', ...valueHeader];
    const body = rows.map((r) => [
      ...(showName ? [r.name] : []),
      ...indexColumns.map((c) => String(r.index[c] ?? '')),
      r.subject,
      ...(r.status === 'pending' ? [p.dim('pending')] : metricColumns.map((c) => formatMetric(r.metrics[c]))),
    ]);
    const done = rows.filter((r) => r.status === 'done').length;
    blocks.push(`${p.bold(probe)} ${p.dim(`${op}, ${done}/${rows.length} rows computed`)}\n${table(body, header)}`);
  }
  if (blocks.length === 0) return 'the program has no probes\n';
  return blocks.join('\n\n') + '\n';
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
