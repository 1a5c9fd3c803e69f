// The ltx checkpoint format (safetensors-like, documented byte by byte in docs/store.md):
//
//   [0, 8)            header length N: unsigned 64-bit little-endian; N is a multiple of 8
//   [8, 8 + N)        UTF-8 JSON header, right-padded with spaces (0x20) to N bytes
//   [8 + N, end)      tensor data, raw little-endian, each tensor starting at an 8-byte boundary of the
//                     data section, zero bytes between tensors, nothing after the last one
//
// Header: {format: "ltx-checkpoint", version: 1, tensors: [{name, dtype, shape, offset, length, sha256}],
// meta: {...}}; `offset` counts from the start of the data section, `length` is in bytes, `sha256` is
// the hex digest of the tensor's bytes. Encoding is deterministic (meta keys are sorted), so equal
// tensors and meta give equal bytes — and equal blob digests in the store.
import { StoreCorruptError } from './errors.ts';
import { isSha256Hex, sha256Hex } from './digest.ts';
import { canonicalJson, isJsonObject } from './json.ts';
import type { JsonObject } from './json.ts';

export const CHECKPOINT_FORMAT = 'ltx-checkpoint';
export const CHECKPOINT_VERSION = 1;

export type TensorDType = 'float32' | 'int32' | 'uint8';

export interface TypedArrayByDType {
  float32: Float32Array;
  int32: Int32Array;
  uint8: Uint8Array;
}

export type TensorData = TypedArrayByDType[TensorDType];

/** A tensor as plain data: row-major `data` holding product(shape) elements (1 for shape []). */
export interface NamedTensor<D extends TensorDType = TensorDType> {
  readonly name: string;
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: TypedArrayByDType[D];
}

/** Free-form JSON stored in the header (step, seed, optimizer bookkeeping, ...). */
export type CheckpointMeta = JsonObject;

/** One entry of the header's tensor table. */
export interface TensorEntry {
  readonly name: string;
  readonly dtype: TensorDType;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly length: number;
  readonly sha256: string;
}

export interface CheckpointHeader {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: typeof CHECKPOINT_VERSION;
  readonly tensors: readonly TensorEntry[];
  readonly meta: CheckpointMeta;
}

export interface DecodedCheckpoint {
  readonly tensors: NamedTensor[];
  readonly meta: CheckpointMeta;
}

const LENGTH_PREFIX_BYTES = 8;
const ALIGNMENT = 8;
/** Headers beyond this are certainly damage, not data (they only hold names, shapes and meta). */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

const BYTES_PER_ELEMENT: Readonly<Record<TensorDType, number>> = { float32: 4, int32: 4, uint8: 1 };

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function isTensorDType(value: unknown): value is TensorDType {
  return value === 'float32' || value === 'int32' || value === 'uint8';
}

export function elementCount(shape: readonly number[]): number {
  let count = 1;
  for (const dim of shape) count *= dim;
  return count;
}

function alignUp(n: number): number {
  return Math.ceil(n / ALIGNMENT) * ALIGNMENT;
}

// ---------------------------------------------------------------------------------------------------
// Encoding

export function encodeTensors(tensors: readonly NamedTensor[], meta: CheckpointMeta = {}): Uint8Array {
  const names = new Set<string>();
  const entries: TensorEntry[] = [];
  const payloads: Uint8Array[] = [];
  let dataLength = 0;
  for (const tensor of tensors) {
    checkTensor(tensor, names);
    const payload = littleEndianBytes(tensor);
    const offset = alignUp(dataLength);
    entries.push({
      name: tensor.name,
      dtype: tensor.dtype,
      shape: [...tensor.shape],
      offset,
      length: payload.byteLength,
      sha256: sha256Hex(payload),
    });
    payloads.push(payload);
    dataLength = offset + payload.byteLength;
  }

  const header: CheckpointHeader = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    tensors: entries,
    meta: JSON.parse(canonicalJson(meta)) as CheckpointMeta,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = alignUp(json.byteLength);
  const dataStart = LENGTH_PREFIX_BYTES + headerLength;

  // A fresh Uint8Array is zero-filled, which provides the zero padding between tensors.
  const out = new Uint8Array(dataStart + dataLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, LENGTH_PREFIX_BYTES);
  out.fill(0x20, LENGTH_PREFIX_BYTES + json.byteLength, dataStart);
  entries.forEach((entry, i) => out.set(payloads[i]!, dataStart + entry.offset));
  return out;
}

function checkTensor(tensor: NamedTensor, seen: Set<string>): void {
  const where = `tensor ${JSON.stringify(tensor.name)}`;
  if (typeof tensor.name !== 'string' || tensor.name.length === 0) {
    throw new TypeError('a tensor name must be a non-empty string');
  }
  if (seen.has(tensor.name)) throw new TypeError(`${where} appears twice`);
  seen.add(tensor.name);
  if (!isTensorDType(tensor.dtype)) throw new TypeError(`${where}: unknown dtype ${String(tensor.dtype)}`);
  if (!tensor.shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0)) {
    throw new TypeError(`${where}: shape [${tensor.shape.join(', ')}] must hold non-negative integers`);
  }
  const expectedType = { float32: Float32Array, int32: Int32Array, uint8: Uint8Array }[tensor.dtype];
  if (!(tensor.data instanceof expectedType)) {
    throw new TypeError(`${where}: dtype ${tensor.dtype} needs a ${expectedType.name}`);
  }
  const count = elementCount(tensor.shape);
  if (tensor.data.length !== count) {
    throw new TypeError(`${where}: shape [${tensor.shape.join(', ')}] holds ${count} elements, data has ${tensor.data.length}`);
  }
}

function littleEndianBytes(tensor: NamedTensor): Uint8Array {
  const { data } = tensor;
  if (HOST_IS_LITTLE_ENDIAN || tensor.dtype === 'uint8') {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (tensor.dtype === 'float32') view.setFloat32(i * 4, data[i]!, true);
    else view.setInt32(i * 4, data[i]!, true);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Decoding

/** Decode and verify every tensor's checksum; any damage throws StoreCorruptError. */
export function decodeTensors(bytes: Uint8Array): DecodedCheckpoint {
  const { header, dataStart } = readHeader(bytes);
  const tensors = header.tensors.map((entry) => {
    const start = dataStart + entry.offset;
    const payload = bytes.subarray(start, start + entry.length);
    const actual = sha256Hex(payload);
    if (actual !== entry.sha256) {
      throw new StoreCorruptError(
        `checkpoint tensor ${JSON.stringify(entry.name)} is corrupt: sha256 ${actual} does not match the header's ${entry.sha256}`,
        { tensor: entry.name },
      );
    }
    return tensorFromPayload(entry, payload);
  });
  return { tensors, meta: header.meta };
}

/** The validated header alone (names, shapes, meta) without reading or checking tensor data. */
export function decodeHeader(bytes: Uint8Array): CheckpointHeader {
  return readHeader(bytes).header;
}

function corrupt(message: string, tensor?: string): StoreCorruptError {
  return new StoreCorruptError(`checkpoint ${message}`, tensor === undefined ? {} : { tensor });
}

function readHeader(bytes: Uint8Array): { header: CheckpointHeader; dataStart: number } {
  if (bytes.byteLength < LENGTH_PREFIX_BYTES) throw corrupt(`is ${bytes.byteLength} bytes, shorter than its length prefix`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(Math.min(MAX_HEADER_BYTES, bytes.byteLength - LENGTH_PREFIX_BYTES))) {
    throw corrupt(`header length ${declared} exceeds the ${bytes.byteLength}-byte file`);
  }
  const headerLength = Number(declared);
  if (headerLength % ALIGNMENT !== 0) throw corrupt(`header length ${headerLength} is not a multiple of ${ALIGNMENT}`);
  const dataStart = LENGTH_PREFIX_BYTES + headerLength;

  let parsed: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(LENGTH_PREFIX_BYTES, dataStart));
    parsed = JSON.parse(text);
  } catch (error) {
    throw new StoreCorruptError('checkpoint header is not valid UTF-8 JSON', {}, { cause: error });
  }
  const header = validateHeader(parsed);
  checkLayout(header, bytes, dataStart);
  return { header, dataStart };
}

function validateHeader(parsed: unknown): CheckpointHeader {
  if (!isJsonObject(parsed)) throw corrupt('header is not a JSON object');
  if (parsed['format'] !== CHECKPOINT_FORMAT) throw corrupt(`header format is ${JSON.stringify(parsed['format'])}, not "${CHECKPOINT_FORMAT}"`);
  if (parsed['version'] !== CHECKPOINT_VERSION) throw corrupt(`header version ${JSON.stringify(parsed['version'])} is not supported (expected ${CHECKPOINT_VERSION})`);
  const tensors = parsed['tensors'];
  const meta = parsed['meta'];
  if (!Array.isArray(tensors)) throw corrupt('header has no tensor table');
  if (!isJsonObject(meta)) throw corrupt('header meta is not a JSON object');
  const names = new Set<string>();
  const entries = tensors.map((raw, i): TensorEntry => {
    if (!isJsonObject(raw) || typeof raw['name'] !== 'string') throw corrupt(`header tensor #${i} has no name`);
    const name = raw['name'];
    const { dtype, shape, offset, length, sha256 } = raw;
    if (names.has(name)) throw corrupt(`header lists tensor ${JSON.stringify(name)} twice`, name);
    names.add(name);
    if (!isTensorDType(dtype)) throw corrupt(`tensor ${JSON.stringify(name)} has unknown dtype ${JSON.stringify(dtype)}`, name);
    if (!Array.isArray(shape) || !shape.every((d): d is number => Number.isSafeInteger(d) && (d as number) >= 0)) {
      throw corrupt(`tensor ${JSON.stringify(name)} has an invalid shape`, name);
    }
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length)) {
      throw corrupt(`tensor ${JSON.stringify(name)} has an invalid offset or length`, name);
    }
    if (!isSha256Hex(sha256)) throw corrupt(`tensor ${JSON.stringify(name)} has an invalid sha256`, name);
    return { name, dtype, shape, offset: offset as number, length: length as number, sha256 };
  });
  return { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, tensors: entries, meta };
}

/** The layout is canonical, so every byte after the header belongs to a tensor or is zero padding. */
function checkLayout(header: CheckpointHeader, bytes: Uint8Array, dataStart: number): void {
  let end = 0;
  for (const entry of header.tensors) {
    const expectedLength = elementCount(entry.shape) * BYTES_PER_ELEMENT[entry.dtype];
    if (entry.length !== expectedLength) {
      throw corrupt(`tensor ${JSON.stringify(entry.name)} has length ${entry.length}, its shape and dtype need ${expectedLength}`, entry.name);
    }
    if (entry.offset !== alignUp(end)) {
      throw corrupt(`tensor ${JSON.stringify(entry.name)} starts at ${entry.offset}, expected ${alignUp(end)}`, entry.name);
    }
    for (let i = dataStart + end; i < dataStart + entry.offset; i++) {
      if (bytes[i] !== 0) throw corrupt(`padding byte at ${i} before tensor ${JSON.stringify(entry.name)} is not zero`, entry.name);
    }
    end = entry.offset + entry.length;
  }
  if (bytes.byteLength !== dataStart + end) {
    throw corrupt(`is ${bytes.byteLength} bytes, its header describes ${dataStart + end}`);
  }
}

function tensorFromPayload(entry: TensorEntry, payload: Uint8Array): NamedTensor {
  const shape = [...entry.shape];
  // A copy at offset 0 of its own buffer: typed arrays need aligned offsets, and `payload` may be a
  // Node Buffer (whose slice() does not copy) sitting at any offset of a shared pool.
  const copy = new Uint8Array(payload);
  if (entry.dtype === 'uint8') return { name: entry.name, dtype: 'uint8', shape, data: copy };
  const count = entry.length / 4;
  if (HOST_IS_LITTLE_ENDIAN) {
    return entry.dtype === 'float32'
      ? { name: entry.name, dtype: 'float32', shape, data: new Float32Array(copy.buffer, 0, count) }
      : { name: entry.name, dtype: 'int32', shape, data: new Int32Array(copy.buffer, 0, count) };
  }
  const view = new DataView(copy.buffer);
  if (entry.dtype === 'float32') {
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
    return { name: entry.name, dtype: 'float32', shape, data };
  }
  const data = new Int32Array(count);
  for (let i = 0; i < count; i++) data[i] = view.getInt32(i * 4, true);
  return { name: entry.name, dtype: 'int32', shape, data };
}
