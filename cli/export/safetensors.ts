// The safetensors format (huggingface/safetensors), which PyTorch, JAX, TensorFlow and NumPy load
// directly:
//
//   [0, 8)          header length N: unsigned 64-bit little-endian
//   [8, 8 + N)      UTF-8 JSON {NAME: {"dtype", "shape", "data_offsets": [begin, end]}, …,
//                   "__metadata__": {string: string}}, padded with spaces to a multiple of 8 bytes
//   [8 + N, end)    the tensors' little-endian bytes, back to back: the offsets (relative to this
//                   section) cover it exactly, without holes or overlaps
import type { NamedTensor, TensorDType } from '../../runtime/store/index.ts';
import { littleEndianBytes } from './little-endian.ts';

const SAFETENSORS_DTYPE: Readonly<Record<TensorDType, string>> = { float32: 'F32', int32: 'I32', uint8: 'U8' };
const LENGTH_PREFIX_BYTES = 8;
const HEADER_ALIGNMENT = 8;
const METADATA_KEY = '__metadata__';

export function encodeSafetensors(tensors: readonly NamedTensor[], metadata: Readonly<Record<string, string>>): Uint8Array {
  // Wider elements first (a stable sort): every tensor then starts at a multiple of its element size,
  // which loaders that map the file into typed arrays need.
  const ordered = [...tensors].sort((a, b) => b.data.BYTES_PER_ELEMENT - a.data.BYTES_PER_ELEMENT);
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = metadata;
  const payloads: Uint8Array[] = [];
  let dataLength = 0;
  for (const tensor of ordered) {
    if (Object.hasOwn(header, tensor.name)) throw new Error(`safetensors: the name ${JSON.stringify(tensor.name)} is taken`);
    const payload = littleEndianBytes(tensor.data);
    header[tensor.name] = { dtype: SAFETENSORS_DTYPE[tensor.dtype], shape: [...tensor.shape], data_offsets: [dataLength, dataLength + payload.byteLength] };
    payloads.push(payload);
    dataLength += payload.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.byteLength / HEADER_ALIGNMENT) * HEADER_ALIGNMENT;
  const dataStart = LENGTH_PREFIX_BYTES + headerLength;
  const out = new Uint8Array(dataStart + dataLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, LENGTH_PREFIX_BYTES);
  out.fill(0x20, LENGTH_PREFIX_BYTES + json.byteLength, dataStart);
  let offset = dataStart;
  for (const payload of payloads) {
    out.set(payload, offset);
    offset += payload.byteLength;
  }
  return out;
}
