// A safetensors reader written from the published format (huggingface/safetensors' README), independent
// of cli/export/safetensors.ts: every rule the format states is asserted while reading.
import assert from 'node:assert/strict';

interface SafetensorsEntry { dtype: string; shape: number[]; data_offsets: [number, number] }

/** The header's tensor entries, its metadata, where the data section starts, and each tensor's elements. */
export function parseSafetensors(bytes: Uint8Array): { header: Record<string, SafetensorsEntry>; metadata: Record<string, string>; dataStart: number; values: Map<string, number[]> } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  assert.equal(text[0], '{', 'the header starts with {');
  const parsed = JSON.parse(text) as Record<string, unknown>;
  const metadata = (parsed['__metadata__'] ?? {}) as Record<string, string>;
  for (const value of Object.values(metadata)) assert.equal(typeof value, 'string', 'metadata maps strings to strings');
  const header = Object.fromEntries(Object.entries(parsed).filter(([name]) => name !== '__metadata__')) as Record<string, SafetensorsEntry>;
  const dataStart = 8 + headerLength;
  const size: Record<string, number> = { F32: 4, I32: 4, U8: 1 };
  // The offsets, sorted, must tile the data section exactly: no hole, no overlap, nothing left over.
  const spans = Object.entries(header).sort(([, a], [, b]) => a.data_offsets[0] - b.data_offsets[0]);
  let end = 0;
  const values = new Map<string, number[]>();
  for (const [name, entry] of spans) {
    const [begin, stop] = entry.data_offsets;
    assert.equal(begin, end, `${name} starts where the previous tensor ended`);
    assert.equal(stop - begin, entry.shape.reduce((a, b) => a * b, 1) * size[entry.dtype]!, `${name}: its bytes hold its shape`);
    const read = { F32: (i: number) => view.getFloat32(i, true), I32: (i: number) => view.getInt32(i, true), U8: (i: number) => view.getUint8(i) }[entry.dtype as 'F32']!;
    const elements: number[] = [];
    for (let at = dataStart + begin; at < dataStart + stop; at += size[entry.dtype]!) elements.push(read(at));
    values.set(name, elements);
    end = stop;
  }
  assert.equal(dataStart + end, bytes.byteLength, 'the data section ends where the last tensor does');
  return { header, metadata, dataStart, values };
}
