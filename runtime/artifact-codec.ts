// Artifacts as bytes, in the store's checkpoint format (runtime/store/checkpoint-format.ts):
//
//   checkpoint  tensors `weight/<param>` (float32), `mask/<param>` (uint8, if masked),
//               `slot/<slot>/<param>` (float32, optimizer state);
//               meta {artifact: "checkpoint", model, step, mask?: {model}, optimizer?: {op, updates},
//                     loss?: {initial, smoothed, recent, last?, divergedAt?,
//                             curve?: {every, step: [], loss: [], lr: [], pending: {sum, steps}}}}
//   mask        tensors `mask/<param>` (uint8); meta {artifact: "mask", model}
//   probe       no tensors; meta {artifact: "probe", metrics, layers?, series?}
//
// Tensors keep their order (layout order), so decoding gives back equal maps. Probe numbers that JSON
// cannot hold (NaN, ±Infinity, −0) are written as {"$number": "NaN"} etc., so every round trip is exact.
import type { Json } from '../core/json.ts';
import type { Artifact, Checkpoint, LossHistory, Mask, OpRef, OptimizerState, ProbeResult, TensorValue, TrainingCurve } from '../core/artifacts.ts';
import { decodeTensors, encodeTensors, type NamedTensor } from './store/checkpoint-format.ts';
import { StoreCorruptError } from './store/errors.ts';
import { isJsonObject, type JsonObject, type JsonValue } from './store/json.ts';

const WEIGHT = 'weight/';
const MASK = 'mask/';
const SLOT = 'slot/';

export function encodeArtifact(artifact: Artifact): Uint8Array {
  switch (artifact.kind) {
    case 'checkpoint':
      return encodeCheckpoint(artifact);
    case 'mask':
      return encodeTensors(maskTensors(artifact), { artifact: 'mask', model: opRefJson(artifact.model) });
    case 'probe':
      return encodeTensors([], probeMeta(artifact));
  }
}

export function decodeArtifact(bytes: Uint8Array): Artifact {
  const { tensors, meta } = decodeTensors(bytes);
  switch (meta['artifact']) {
    case 'checkpoint':
      return decodeCheckpoint(tensors, meta);
    case 'mask':
      return decodeMask(tensors, opRefOf(meta['model']));
    case 'probe':
      return decodeProbe(meta);
    default:
      throw malformed(`unknown artifact kind ${JSON.stringify(meta['artifact'])}`);
  }
}

// ---- checkpoints and masks

function encodeCheckpoint(c: Checkpoint): Uint8Array {
  const tensors: NamedTensor[] = [];
  for (const [name, value] of c.weights) tensors.push({ name: WEIGHT + name, dtype: 'float32', shape: value.shape, data: value.data });
  if (c.mask) tensors.push(...maskTensors(c.mask));
  if (c.optimizer) {
    for (const [key, value] of c.optimizer.slots) tensors.push({ name: SLOT + key, dtype: 'float32', shape: value.shape, data: value.data });
  }
  const meta: JsonObject = { artifact: 'checkpoint', model: opRefJson(c.model), step: c.step };
  if (c.mask) meta['mask'] = { model: opRefJson(c.mask.model) };
  if (c.optimizer) meta['optimizer'] = { op: c.optimizer.op, updates: c.optimizer.updates };
  if (c.loss) meta['loss'] = lossHistoryJson(c.loss);
  return encodeTensors(tensors, meta);
}

function maskTensors(mask: Mask): NamedTensor[] {
  return [...mask.masks].map(([name, m]) => ({ name: MASK + name, dtype: 'uint8' as const, shape: m.shape, data: m.data }));
}

function decodeCheckpoint(tensors: NamedTensor[], meta: JsonObject): Checkpoint {
  const step = meta['step'];
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) throw malformed(`checkpoint step ${JSON.stringify(step)}`);
  const weights = new Map<string, TensorValue>();
  const slots = new Map<string, TensorValue>();
  for (const t of tensors) {
    if (t.name.startsWith(WEIGHT)) weights.set(t.name.slice(WEIGHT.length), floatValue(t));
    else if (t.name.startsWith(SLOT)) slots.set(t.name.slice(SLOT.length), floatValue(t));
  }
  const checkpoint: Checkpoint = { kind: 'checkpoint', model: opRefOf(meta['model']), step, weights };
  const maskMeta = meta['mask'];
  if (maskMeta !== undefined) {
    if (!isJsonObject(maskMeta)) throw malformed('checkpoint mask meta');
    checkpoint.mask = decodeMask(tensors, opRefOf(maskMeta['model']));
  }
  const optimizerMeta = meta['optimizer'];
  if (optimizerMeta !== undefined) {
    if (!isJsonObject(optimizerMeta) || typeof optimizerMeta['op'] !== 'string' || typeof optimizerMeta['updates'] !== 'number') {
      throw malformed('checkpoint optimizer meta');
    }
    const optimizer: OptimizerState = { op: optimizerMeta['op'], updates: optimizerMeta['updates'], slots };
    checkpoint.optimizer = optimizer;
  }
  if (meta['loss'] !== undefined) checkpoint.loss = lossHistoryOf(meta['loss']);
  return checkpoint;
}

function lossHistoryJson(history: LossHistory): JsonObject {
  const { curve, ...rest } = history;
  const json: JsonObject = { ...rest };
  if (curve) json['curve'] = { ...curve, step: [...curve.step], loss: [...curve.loss], lr: [...curve.lr], pending: { ...curve.pending } };
  return json;
}

const finite = (v: JsonValue | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

function lossHistoryOf(value: JsonValue): LossHistory {
  if (!isJsonObject(value) || !finite(value['initial']) || !finite(value['smoothed']) || !finite(value['recent'])) {
    throw malformed(`checkpoint loss meta ${JSON.stringify(value)}`);
  }
  const history: LossHistory = { initial: value['initial'], smoothed: value['smoothed'], recent: value['recent'] };
  const last = value['last'];
  if (last !== undefined) {
    if (!Array.isArray(last) || !last.every(finite)) throw malformed(`checkpoint loss meta ${JSON.stringify(value)}`);
    history.last = [...last];
  }
  const divergedAt = value['divergedAt'];
  if (divergedAt !== undefined) {
    if (!finite(divergedAt) || !Number.isInteger(divergedAt)) throw malformed(`checkpoint loss meta ${JSON.stringify(value)}`);
    history.divergedAt = divergedAt;
  }
  if (value['curve'] !== undefined) history.curve = trainingCurveOf(value['curve']);
  return history;
}

function trainingCurveOf(value: JsonValue): TrainingCurve {
  const numbers = (v: JsonValue | undefined): v is number[] => Array.isArray(v) && v.every(finite);
  const pending = isJsonObject(value) ? value['pending'] : undefined;
  if (!isJsonObject(value) || !finite(value['every']) || !numbers(value['step']) || !numbers(value['loss']) || !numbers(value['lr'])
    || !isJsonObject(pending) || !finite(pending['sum']) || !finite(pending['steps'])
    || value['loss'].length !== value['step'].length || value['lr'].length !== value['step'].length) {
    throw malformed(`checkpoint training curve ${JSON.stringify(value).slice(0, 200)}`);
  }
  return { every: value['every'], step: value['step'], loss: value['loss'], lr: value['lr'], pending: { sum: pending['sum'], steps: pending['steps'] } };
}

function decodeMask(tensors: NamedTensor[], model: OpRef): Mask {
  const masks = new Map<string, { shape: number[]; data: Uint8Array }>();
  for (const t of tensors) {
    if (!t.name.startsWith(MASK)) continue;
    if (t.dtype !== 'uint8') throw malformed(`mask tensor ${t.name} has dtype ${t.dtype}`);
    masks.set(t.name.slice(MASK.length), { shape: [...t.shape], data: t.data as Uint8Array });
  }
  return { kind: 'mask', model, masks };
}

function floatValue(t: NamedTensor): TensorValue {
  if (t.dtype !== 'float32') throw malformed(`tensor ${t.name} has dtype ${t.dtype}, expected float32`);
  return { shape: [...t.shape], data: t.data as Float32Array };
}

function opRefJson(ref: OpRef): JsonObject {
  return { op: ref.op, version: ref.version, params: ref.params as JsonObject };
}

function opRefOf(value: JsonValue | undefined): OpRef {
  if (!isJsonObject(value) || typeof value['op'] !== 'string' || typeof value['version'] !== 'number' || !isJsonObject(value['params'])) {
    throw malformed(`model reference ${JSON.stringify(value)}`);
  }
  return { op: value['op'], version: value['version'], params: value['params'] as { [key: string]: Json } };
}

// ---- probe results

const SPECIAL = '$number';

function numberJson(n: number): JsonValue {
  if (Number.isNaN(n)) return { [SPECIAL]: 'NaN' };
  if (n === Infinity) return { [SPECIAL]: 'Infinity' };
  if (n === -Infinity) return { [SPECIAL]: '-Infinity' };
  if (Object.is(n, -0)) return { [SPECIAL]: '-0' };
  return n;
}

function numberOf(value: JsonValue | undefined): number {
  if (typeof value === 'number') return value;
  if (isJsonObject(value)) {
    switch (value[SPECIAL]) {
      case 'NaN': return Number.NaN;
      case 'Infinity': return Infinity;
      case '-Infinity': return -Infinity;
      case '-0': return -0;
    }
  }
  throw malformed(`probe number ${JSON.stringify(value)}`);
}

function recordJson(record: { [name: string]: number }): JsonObject {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, numberJson(v)]));
}

function recordOf(value: JsonValue | undefined): { [name: string]: number } {
  if (!isJsonObject(value)) throw malformed('probe metrics');
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, numberOf(v)]));
}

function probeMeta(p: ProbeResult): JsonObject {
  const meta: JsonObject = { artifact: 'probe', metrics: recordJson(p.metrics) };
  if (p.layers) meta['layers'] = Object.fromEntries(Object.entries(p.layers).map(([k, v]) => [k, recordJson(v)]));
  if (p.series) {
    meta['series'] = Object.fromEntries(Object.entries(p.series).map(([k, v]) => [
      k, (v as (number | number[])[]).map((item) => (Array.isArray(item) ? item.map(numberJson) : numberJson(item))),
    ]));
  }
  return meta;
}

function decodeProbe(meta: JsonObject): ProbeResult {
  const result: ProbeResult = { kind: 'probe', metrics: recordOf(meta['metrics']) };
  const layers = meta['layers'];
  if (layers !== undefined) {
    if (!isJsonObject(layers)) throw malformed('probe layers');
    result.layers = Object.fromEntries(Object.entries(layers).map(([k, v]) => [k, recordOf(v)]));
  }
  const series = meta['series'];
  if (series !== undefined) {
    if (!isJsonObject(series)) throw malformed('probe series');
    result.series = Object.fromEntries(Object.entries(series).map(([k, v]) => {
      if (!Array.isArray(v)) throw malformed(`probe series ${k}`);
      return [k, v.map((item) => (Array.isArray(item) ? item.map(numberOf) : numberOf(item)))] as [string, number[] | number[][]];
    }));
  }
  return result;
}

function malformed(what: string): StoreCorruptError {
  return new StoreCorruptError(`artifact is malformed: ${what}`);
}
