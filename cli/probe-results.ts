// The probes' results as the store holds them: each probe table's rows with their coordinates, the
// metrics of their stage's record and, on request, the series its artifact stored (for plots).
// Shared by `ltx results` and `ltx report`; read-only. A row whose stored result is damaged says so
// (its probe table is re-hashed: it is small) instead of failing the command; a row without a result
// whose stage, or a stage it needs, failed in the last run says so, with the cause (failure-notes.ts).
import type { CompiledProgram } from '../compiler/compile.ts';
import { decodeArtifact } from '../runtime/artifact-codec.ts';
import { StoreCorruptError } from '../runtime/store/index.ts';
import type { ActionRecord, JsonObject, JsonValue, Store } from '../runtime/store/index.ts';
import { DivergedInputs, type DivergedInput } from './diverged-inputs.ts';
import { FailedInputs } from './failure-notes.ts';

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
  /**
   * pending: not computed yet; failed: not computed because its stage, or one it needs, failed in the
   * last run (see `failure`); damaged: computed, but what the cache holds of it is broken (see `damage`).
   */
  status: 'done' | 'pending' | 'failed' | 'damaged';
  /** The stage whose failure keeps a failed row from a result, and why it failed. */
  failure?: { stage: string; error: string };
  /** What is wrong with a damaged row's stored result; `ltx run` computes it again. */
  damage?: string;
  /** The training runs the row measured that had diverged (rows that are done; absent when none). */
  diverged?: DivergedInput[];
  /** The backend that computed the row's stage (rows that are done). */
  backend?: string;
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
  const failedInputs = new FailedInputs(program, store);
  for (const probe of program.probes) {
    probes[probe.name] = await Promise.all(probe.rows.map(async (row): Promise<ResultRow> => {
      const outcome = await store.inspect(row.stage, { verifyContent: true });
      const base = { name: row.name, index: row.index, subject: row.subject, subjects: row.subjects };
      if (outcome.status === 'absent') {
        const failure = await failedInputs.of(row.stage);
        if (failure === undefined) return { ...base, metrics: {}, status: 'pending' };
        return { ...base, metrics: {}, status: 'failed', failure: { stage: failure.stage, error: failure.error } };
      }
      if (outcome.status === 'broken') return { ...base, metrics: {}, status: 'damaged', damage: outcome.reason };
      const { record } = outcome;
      const { metrics, layers } = splitMetrics(record.metrics);
      let series: ResultRow['series'];
      try {
        series = options.series ? await seriesOf(store, record) : undefined;
      } catch (error) {
        // Damaged after the look above.
        if (!(error instanceof StoreCorruptError)) throw error;
        return { ...base, metrics: {}, status: 'damaged', damage: error.message };
      }
      const computed = options.provenance ? { computed: { backend: record.backend, seconds: record.seconds, finishedAt: record.finishedAt } } : {};
      const diverged = await divergedInputs.of(row.stage);
      return {
        ...base, metrics, ...(layers === undefined ? {} : { layers }), ...(series ? { series } : {}), status: 'done', backend: record.backend,
        ...(diverged.length > 0 ? { diverged } : {}), ...computed,
      };
    }));
  }
  return probes;
}

/** The failures that keep rows from results, each once: `STAGE: CAUSE`, in the order rows name them. */
export function failuresOf(rows: readonly ResultRow[]): string[] {
  return [...new Set(rows.flatMap((row) => (row.failure ? [`${row.failure.stage}: ${row.failure.error}`] : [])))];
}

/** The line telling how to mend damaged rows, if there are any. */
export function damagedRowsNote(rows: readonly ResultRow[], file: string): string | undefined {
  const damaged = rows.filter((row) => row.status === 'damaged').length;
  if (damaged === 0) return undefined;
  return `${damaged} probe row${damaged === 1 ? ' is' : 's are'} damaged in the cache: run 'ltx run ${file}' to compute ${damaged === 1 ? 'it' : 'them'} again`;
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
