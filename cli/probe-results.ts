// The probes' results as the store holds them: each probe table's rows with their coordinates, the
// metrics of their stage's record and, on request, the series its artifact stored (for plots).
// Shared by `ltx results` and `ltx report`; read-only.
import type { CompiledProgram } from '../compiler/compile.ts';
import { decodeArtifact } from '../runtime/artifact-codec.ts';
import type { ActionRecord, JsonObject, JsonValue } from '../runtime/store/index.ts';
import type { Store } from '../runtime/store/index.ts';
import { DivergedInputs, type DivergedInput } from './diverged-inputs.ts';

export type Metrics = { [name: string]: number };

export interface ResultRow {
  name: string;
  index: { [variable: string]: number | string };
  subject: string;
  /** The subject of each argument of the probe (`a`, `b`, `x`, …). */
  subjects: { [role: string]: string };
  metrics: Metrics;
  layers?: { [layer: string]: Metrics };
  /** Series for plots (instability's error path over α, llc's loss traces), in --json only. */
  series?: { [name: string]: number[] | number[][] };
  status: 'done' | 'pending';
  /** The training runs the row measured that had diverged (rows that are done; absent when none). */
  diverged?: DivergedInput[];
  /** Where and how long the row's stage computed (rows that are done; only when asked for). */
  computed?: { backend: string; seconds: number; finishedAt: string };
}

export interface ReadOptions {
  /** Also read the series the probes stored (a blob read per row). */
  series?: boolean;
  /** Also say where and how long each row computed (which makes two runs' results differ). */
  provenance?: boolean;
}

/** Every probe table of the program, by probe name, with the metrics from the store's records. */
export async function readResults(program: CompiledProgram, store: Store, options: ReadOptions = {}): Promise<Record<string, ResultRow[]>> {
  const probes: Record<string, ResultRow[]> = {};
  const divergedInputs = new DivergedInputs(program, store);
  for (const probe of program.probes) {
    probes[probe.name] = await Promise.all(probe.rows.map(async (row): Promise<ResultRow> => {
      const record = await store.lookup(row.stage);
      const base = { name: row.name, index: row.index, subject: row.subject, subjects: row.subjects };
      if (record === undefined) return { ...base, metrics: {}, status: 'pending' };
      const { metrics, layers } = splitMetrics(record.metrics);
      const series = options.series ? await seriesOf(store, record) : undefined;
      const computed = options.provenance ? { computed: { backend: record.backend, seconds: record.seconds, finishedAt: record.finishedAt } } : {};
      const diverged = await divergedInputs.of(row.stage);
      return {
        ...base, metrics, ...(layers === undefined ? {} : { layers }), ...(series ? { series } : {}), status: 'done',
        ...(diverged.length > 0 ? { diverged } : {}), ...computed,
      };
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
export function unionOf(lists: Iterable<string[]>): string[] {
  const seen = new Set<string>();
  for (const list of lists) for (const item of list) seen.add(item);
  return [...seen];
}

/** A metric for a table cell: integers as they are, others to four significant digits. */
export function formatMetric(value: number | undefined): string {
  if (value === undefined) return '';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}
