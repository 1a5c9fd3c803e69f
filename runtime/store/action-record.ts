// The action record: what the store knows about one committed stage. Written last in a commit, so its
// presence (and validity) is what "this stage's result exists" means.
import { Ajv } from 'ajv';
import type { Sha256Hex } from './digest.ts';
import type { JsonObject, JsonValue } from './json.ts';

export const ACTION_RECORD_VERSION = 1;

/**
 * The canonical JSON whose SHA-256 is the stage key. The compiler builds it ({op, version, params,
 * inputs, ...}); the store only needs `op` and keeps the rest verbatim so `plan` can diff it.
 */
export interface StagePreimage {
  readonly op: string;
  readonly [field: string]: JsonValue;
}

/** What kind of artifact an output is ('checkpoint', 'mask', 'table', 'trace', ...); informative only. */
export type OutputKind = string;

export interface OutputRef {
  readonly digest: Sha256Hex;
  readonly bytes: number;
  readonly kind: OutputKind;
}

export interface ActionRecord {
  readonly recordVersion: typeof ACTION_RECORD_VERSION;
  readonly key: Sha256Hex;
  /** The declaration name it was committed under (for `cache ls` and finding the previous run of a name). */
  readonly name?: string;
  readonly preimage: StagePreimage;
  readonly outputs: Readonly<Record<string, OutputRef>>;
  readonly metrics: JsonObject;
  /** ISO 8601 times of the computation. */
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly seconds: number;
  readonly host: string;
  readonly backend: string;
  readonly ltxVersion: string;
  /**
   * For the checkpoint of a training run: the run's identity, the step, and the step of the checkpoint it
   * was computed from (the run's start, or a checkpoint of the run the cache had). Indexed under runs/.
   */
  readonly run?: RunStep;
}

export interface RunStep {
  readonly id: Sha256Hex;
  readonly step: number;
  readonly from: number;
}

const sha256Pattern = '^[0-9a-f]{64}$';

const actionRecordSchema = {
  type: 'object',
  required: ['recordVersion', 'key', 'preimage', 'outputs', 'metrics', 'startedAt', 'finishedAt', 'seconds', 'host', 'backend', 'ltxVersion'],
  properties: {
    recordVersion: { const: ACTION_RECORD_VERSION },
    key: { type: 'string', pattern: sha256Pattern },
    name: { type: 'string' },
    preimage: { type: 'object', required: ['op'], properties: { op: { type: 'string' } } },
    outputs: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['digest', 'bytes', 'kind'],
        properties: {
          digest: { type: 'string', pattern: sha256Pattern },
          bytes: { type: 'integer', minimum: 0 },
          kind: { type: 'string' },
        },
      },
    },
    metrics: { type: 'object' },
    startedAt: { type: 'string' },
    finishedAt: { type: 'string' },
    seconds: { type: 'number', minimum: 0 },
    host: { type: 'string' },
    backend: { type: 'string' },
    ltxVersion: { type: 'string' },
    run: {
      type: 'object',
      required: ['id', 'step', 'from'],
      properties: {
        id: { type: 'string', pattern: sha256Pattern },
        step: { type: 'integer', minimum: 0 },
        from: { type: 'integer', minimum: 0 },
      },
    },
  },
} as const;

const validateRecord = new Ajv({ allErrors: true, strict: true }).compile<ActionRecord>(actionRecordSchema);

export type RecordParse = { readonly ok: true; readonly record: ActionRecord } | { readonly ok: false; readonly reason: string };

/** Parse a record file's text; never throws — a broken record is reported, not raised. */
export function parseActionRecord(text: string, expectedKey: Sha256Hex): RecordParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'the record is not valid JSON' };
  }
  if (!validateRecord(value)) {
    const details = (validateRecord.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim());
    return { ok: false, reason: `the record does not match its schema: ${details.join('; ')}` };
  }
  if (value.key !== expectedKey) return { ok: false, reason: `the record is for key ${value.key}, not ${expectedKey}` };
  return { ok: true, record: value };
}

/** Total bytes of a record's outputs (for listings). */
export function recordBytes(record: ActionRecord): number {
  return Object.values(record.outputs).reduce((sum, output) => sum + output.bytes, 0);
}
