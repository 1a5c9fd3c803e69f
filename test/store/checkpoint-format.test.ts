import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StoreCorruptError, decodeHeader, decodeTensors, encodeTensors } from '../../runtime/store/index.ts';
import type { NamedTensor } from '../../runtime/store/index.ts';

const sample: NamedTensor[] = [
  { name: 'dense/kernel', dtype: 'float32', shape: [2, 3], data: new Float32Array([0.5, -1.25, 3, Math.PI, -0, 1e-30]) },
  { name: 'dense/bias', dtype: 'float32', shape: [3], data: new Float32Array([1, 2, 3]) },
  { name: 'step', dtype: 'int32', shape: [], data: new Int32Array([-7]) },
  { name: 'mask', dtype: 'uint8', shape: [5], data: new Uint8Array([1, 0, 1, 1, 0]) },
  { name: 'empty', dtype: 'float32', shape: [0, 4], data: new Float32Array(0) },
  { name: 'order', dtype: 'int32', shape: [3], data: new Int32Array([2, 0, 2147483647]) },
];

function headerLength(bytes: Uint8Array): number {
  return Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
}

function dataStart(bytes: Uint8Array): number {
  return 8 + headerLength(bytes);
}

test('round trip keeps names, dtypes, shapes, exact values and meta', () => {
  const meta = { step: 120, seed: 3, note: 'rewind point' };
  const decoded = decodeTensors(encodeTensors(sample, meta));
  assert.deepEqual(decoded.meta, meta);
  assert.equal(decoded.tensors.length, sample.length);
  decoded.tensors.forEach((tensor, i) => {
    const original = sample[i]!;
    assert.equal(tensor.name, original.name);
    assert.equal(tensor.dtype, original.dtype);
    assert.deepEqual(tensor.shape, original.shape);
    assert.equal(tensor.data.constructor, original.data.constructor);
    assert.deepEqual([...tensor.data], [...original.data]);
  });
});

test('float32 values survive bit for bit, including -0 and denormals', () => {
  const data = new Float32Array([-0, 1.4e-45, 3.4028234663852886e38, Number.NaN]);
  const [tensor] = decodeTensors(encodeTensors([{ name: 'w', dtype: 'float32', shape: [4], data }])).tensors;
  assert.deepEqual(new Uint8Array(tensor!.data.buffer), new Uint8Array(data.buffer));
});

test('a scalar has shape [] and one element; an empty tensor has no bytes', () => {
  const bytes = encodeTensors([
    { name: 'scalar', dtype: 'float32', shape: [], data: new Float32Array([2.5]) },
    { name: 'none', dtype: 'uint8', shape: [0], data: new Uint8Array(0) },
  ]);
  const header = decodeHeader(bytes);
  assert.deepEqual(header.tensors.map((t) => [t.name, t.shape, t.length]), [
    ['scalar', [], 4],
    ['none', [0], 0],
  ]);
  assert.equal(decodeTensors(bytes).tensors[0]!.data[0], 2.5);
});

test('the layout: u64 LE header length, space-padded JSON header, 8-byte aligned tensors', () => {
  const bytes = encodeTensors(sample, { b: 1, a: 2 });
  const length = headerLength(bytes);
  assert.equal(length % 8, 0);
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + length));
  assert.match(text, /^\{"format":"ltx-checkpoint","version":1,/);
  assert.match(text, /^\{.*\} *$/s);
  assert.doesNotThrow(() => JSON.parse(text));
  const header = decodeHeader(bytes);
  assert.deepEqual(Object.keys(header.meta), ['a', 'b']);
  for (const entry of header.tensors) assert.equal(entry.offset % 8, 0);
  const last = header.tensors.at(-1)!;
  assert.equal(bytes.byteLength, dataStart(bytes) + last.offset + last.length);
  // Values are little-endian: int32 -7 of "step" as raw bytes.
  const step = header.tensors.find((t) => t.name === 'step')!;
  assert.deepEqual([...bytes.subarray(dataStart(bytes) + step.offset, dataStart(bytes) + step.offset + 4)], [0xf9, 0xff, 0xff, 0xff]);
});

test('encoding is deterministic: equal input gives equal bytes whatever the meta key order', () => {
  assert.deepEqual(encodeTensors(sample, { x: 1, y: [1, 2] }), encodeTensors(sample, { y: [1, 2], x: 1 }));
});

test('a flipped data byte throws StoreCorruptError naming the tensor', () => {
  const bytes = encodeTensors(sample);
  const bias = decodeHeader(bytes).tensors.find((t) => t.name === 'dense/bias')!;
  bytes[dataStart(bytes) + bias.offset + 5]! ^= 0x01;
  assert.throws(
    () => decodeTensors(bytes),
    (error: unknown) => error instanceof StoreCorruptError && error.tensor === 'dense/bias' && /dense\/bias/.test(error.message),
  );
});

test('a truncated file, a damaged header or a non-zero padding byte is corruption too', () => {
  const bytes = encodeTensors(sample);
  assert.throws(() => decodeTensors(bytes.subarray(0, bytes.byteLength - 1)), StoreCorruptError);
  assert.throws(() => decodeTensors(bytes.subarray(0, 5)), StoreCorruptError);

  const badHeader = bytes.slice();
  badHeader[8] = 0x5b; // '{' -> '[': no longer the header object
  assert.throws(() => decodeTensors(badHeader), StoreCorruptError);

  const badPadding = bytes.slice();
  const mask = decodeHeader(bytes).tensors.find((t) => t.name === 'mask')!; // 5 bytes, then 3 padding
  badPadding[dataStart(bytes) + mask.offset + mask.length] = 1;
  assert.throws(() => decodeTensors(badPadding), StoreCorruptError);
});

test('encoding rejects data that does not match its shape or dtype, and duplicate names', () => {
  assert.throws(() => encodeTensors([{ name: 'w', dtype: 'float32', shape: [2, 2], data: new Float32Array(3) }]), /4 elements/);
  assert.throws(() => encodeTensors([{ name: 'w', dtype: 'int32', shape: [1], data: new Float32Array(1) as unknown as Int32Array }]), /Int32Array/);
  const t: NamedTensor = { name: 'w', dtype: 'uint8', shape: [1], data: new Uint8Array(1) };
  assert.throws(() => encodeTensors([t, t]), /twice/);
});

test('decoded tensors do not alias the input bytes', () => {
  const bytes = encodeTensors([{ name: 'w', dtype: 'float32', shape: [1], data: new Float32Array([1]) }]);
  const [tensor] = decodeTensors(bytes).tensors;
  bytes.fill(0);
  assert.equal(tensor!.data[0], 1);
});

test('decoding works from a Node Buffer that views a larger buffer at an odd offset', () => {
  const bytes = encodeTensors([{ name: 'w', dtype: 'float32', shape: [2], data: new Float32Array([1.5, -2]) }]);
  const host = Buffer.alloc(bytes.byteLength + 3);
  host.set(bytes, 3);
  const [tensor] = decodeTensors(host.subarray(3)).tensors;
  assert.deepEqual([...tensor!.data], [1.5, -2]);
});
