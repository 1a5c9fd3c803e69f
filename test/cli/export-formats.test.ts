// The export formats byte by byte, each read back by a parser written here from the published format
// (safetensors: huggingface/safetensors' README; .npy: numpy's format.py documentation; ZIP: PKWARE's
// APPNOTE), not by the code that writes them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import { layoutFor, permuted } from '../../cli/export/layout.ts';
import { encodeNpz } from '../../cli/export/npz.ts';
import { encodeSafetensors } from '../../cli/export/safetensors.ts';
import { zipStored } from '../../cli/export/zip.ts';
import type { NamedTensor } from '../../runtime/store/index.ts';
import { parseSafetensors } from './safetensors-reader.ts';

const TENSORS: NamedTensor[] = [
  { name: 'mask.layer1.weight', dtype: 'uint8', shape: [3], data: new Uint8Array([1, 0, 1]) },
  { name: 'layer1.weight', dtype: 'float32', shape: [2, 3], data: new Float32Array([0.5, -1.25, 3, 4e-8, -0, 6]) },
  { name: 'count', dtype: 'int32', shape: [], data: new Int32Array([-7]) },
  { name: 'empty', dtype: 'float32', shape: [0, 4], data: new Float32Array(0) },
];

test('safetensors: header length, JSON header, offsets that cover the data exactly, and the values', () => {
  const bytes = encodeSafetensors(TENSORS, { step: '30', model: '{"op":"mlp"}' });
  const { header, metadata, values } = parseSafetensors(bytes);
  assert.deepEqual(metadata, { step: '30', model: '{"op":"mlp"}' });
  assert.deepEqual(Object.keys(header).sort(), ['count', 'empty', 'layer1.weight', 'mask.layer1.weight']);
  assert.deepEqual(header['layer1.weight'], { dtype: 'F32', shape: [2, 3], data_offsets: header['layer1.weight']!.data_offsets });
  assert.deepEqual([header['count']!.dtype, header['count']!.shape], ['I32', []]);
  assert.deepEqual([header['mask.layer1.weight']!.dtype, header['empty']!.shape], ['U8', [0, 4]]);
  assert.deepEqual(values.get('layer1.weight'), [...TENSORS[1]!.data]);
  assert.deepEqual(values.get('count'), [-7]);
  assert.deepEqual(values.get('mask.layer1.weight'), [1, 0, 1]);
  assert.deepEqual(values.get('empty'), []);
});

test('safetensors: the header is padded with spaces to 8 bytes and 4-byte tensors come first, aligned', () => {
  const bytes = encodeSafetensors(TENSORS, {});
  const { header, dataStart } = parseSafetensors(bytes);
  assert.equal((dataStart - 8) % 8, 0);
  const text = new TextDecoder().decode(bytes.subarray(8, dataStart));
  assert.match(text, /} *$/);
  assert.equal(JSON.parse(text)['__metadata__'], undefined, 'no empty metadata entry');
  for (const entry of Object.values(header)) if (entry.dtype !== 'U8') assert.equal((dataStart + entry.data_offsets[0]) % 4, 0);
  assert.ok(header['mask.layer1.weight']!.data_offsets[0] >= header['layer1.weight']!.data_offsets[1]);
});

/** The files of a ZIP by its central directory, each checked against its local header and CRC-32. */
function readZip(bytes: Uint8Array): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.byteLength - 22;
  assert.equal(view.getUint32(end, true), 0x06054b50, 'end of central directory record');
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const files = new Map<string, Uint8Array>();
  for (let i = 0; i < count; i++) {
    assert.equal(view.getUint32(at, true), 0x02014b50, 'central directory header');
    assert.equal(view.getUint16(at + 10, true), 0, 'stored, not compressed');
    const crc = view.getUint32(at + 16, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    const local = view.getUint32(at + 42, true);
    assert.equal(view.getUint32(local, true), 0x04034b50, `${name}: local header`);
    assert.equal(view.getUint32(local + 14, true), crc, `${name}: the local header has the same CRC`);
    const dataStart = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const data = bytes.subarray(dataStart, dataStart + size);
    assert.equal(crc32(data), crc, `${name}: CRC-32`);
    files.set(name, data);
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return files;
}

test('zip: stored files with their CRC-32, found through the central directory', () => {
  const archive = zipStored([{ name: 'a.npy', bytes: new Uint8Array([1, 2, 3]) }, { name: 'dir/ü.txt', bytes: new Uint8Array(0) }]);
  const files = readZip(archive);
  assert.deepEqual([...files.keys()], ['a.npy', 'dir/ü.txt']);
  assert.deepEqual([...files.get('a.npy')!], [1, 2, 3]);
  assert.deepEqual(zipStored([{ name: 'a.npy', bytes: new Uint8Array([1, 2, 3]) }]), zipStored([{ name: 'a.npy', bytes: new Uint8Array([1, 2, 3]) }]), 'equal files, equal archives');
});

/** A .npy file's header dict and data, after numpy's format documentation (version 1.0). */
function readNpy(bytes: Uint8Array): { header: string; data: Uint8Array } {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x93, ...new TextEncoder().encode('NUMPY'), 1, 0], 'magic and version 1.0');
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint16(8, true);
  assert.equal((10 + headerLength) % 64, 0, 'the data starts at a multiple of 64 bytes');
  const header = new TextDecoder('ascii').decode(bytes.subarray(10, 10 + headerLength));
  assert.ok(header.endsWith('\n'), 'the header ends with a newline');
  return { header: header.trimEnd(), data: bytes.subarray(10 + headerLength) };
}

test('npz: one NAME.npy per tensor with numpy\'s header dict, and the metadata as a unicode string', () => {
  const files = readZip(encodeNpz(TENSORS, { step: '30', name: 'imp[3]' }));
  assert.deepEqual([...files.keys()], ['mask.layer1.weight.npy', 'layer1.weight.npy', 'count.npy', 'empty.npy', '__metadata__.npy']);
  const weight = readNpy(files.get('layer1.weight.npy')!);
  assert.equal(weight.header, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
  assert.deepEqual([...new Float32Array(new Uint8Array(weight.data).buffer)], [...TENSORS[1]!.data]);
  assert.equal(readNpy(files.get('mask.layer1.weight.npy')!).header, "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }");
  assert.equal(readNpy(files.get('count.npy')!).header, "{'descr': '<i4', 'fortran_order': False, 'shape': (), }");
  assert.equal(readNpy(files.get('empty.npy')!).header, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4), }");
  const metadata = readNpy(files.get('__metadata__.npy')!);
  const json = JSON.stringify({ step: '30', name: 'imp[3]' });
  assert.equal(metadata.header, `{'descr': '<U${json.length}', 'fortran_order': False, 'shape': (), }`);
  assert.equal(String.fromCodePoint(...new Uint32Array(new Uint8Array(metadata.data).buffer)), json);
});

test('permuted reorders axes as numpy.transpose does: [in, out] → [out, in], HWIO → OIHW', () => {
  const dense = permuted({ shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) }, [1, 0]);
  assert.deepEqual([dense.shape, [...dense.data]], [[3, 2], [1, 4, 2, 5, 3, 6]]);
  // HWIO [1, 2, 2, 3] holding at (0, w, i, o) its row-major position w·6 + i·3 + o.
  const hwio = new Uint8Array(12).map((_, k) => k);
  const oihw = permuted({ shape: [1, 2, 2, 3], data: hwio }, [3, 2, 0, 1]);
  assert.deepEqual(oihw.shape, [3, 2, 1, 2]);
  assert.ok(oihw.data instanceof Uint8Array);
  // OIHW element (o, i, 0, w) is HWIO element (0, w, i, o) = w·6 + i·3 + o.
  const expected = [];
  for (let o = 0; o < 3; o++) for (let i = 0; i < 2; i++) for (let w = 0; w < 2; w++) expected.push(w * 6 + i * 3 + o);
  assert.deepEqual([...oihw.data], expected);
});

test('--layout torch reorders kernels only: a conv kernel to OIHW, an attention matrix to [out, in], never an embedding', () => {
  const transformer = layoutFor('torch', { op: 'transformer', version: 1, params: { vocab: 5, context: 4, width: 4, heads: 2, layers: 1, mlp_ratio: 4 } });
  const square = { shape: [4, 4], data: new Float32Array(16).map((_, k) => k) };
  assert.deepEqual([...transformer('block1.attn.query.weight', square).data], [...permuted(square, [1, 0]).data]);
  assert.notDeepEqual([...permuted(square, [1, 0]).data], [...square.data]);
  const table = { shape: [5, 4], data: new Float32Array(20) };
  assert.equal(transformer('embed.weight', table), table);
  const bias = { shape: [4], data: new Float32Array(4) };
  assert.equal(transformer('block1.attn.query.bias', bias), bias);
  const conv = layoutFor('torch', { op: 'lenet5', version: 1, params: { input: [28, 28, 1], classes: 10 } });
  assert.deepEqual(conv('conv2.weight', { shape: [5, 5, 6, 16], data: new Uint8Array(2400) }).shape, [16, 6, 5, 5]);
  assert.deepEqual(conv('fc1.weight', { shape: [400, 120], data: new Float32Array(48000) }).shape, [120, 400]);
  const same = { shape: [400, 120], data: new Float32Array(48000) };
  assert.equal(layoutFor('ltx', { op: 'lenet5', version: 1, params: {} })('fc1.weight', same), same);
});
