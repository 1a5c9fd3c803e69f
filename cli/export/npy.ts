// NumPy's .npy format, version 1.0: the magic "\x93NUMPY", version bytes 1 0, a little-endian uint16
// header length, an ASCII Python dict {'descr', 'fortran_order', 'shape'} padded with spaces and ended
// by a newline so that the data starts at a multiple of 64 bytes, then the elements in C order.
import type { NamedTensor, TensorDType } from '../../runtime/store/index.ts';
import { littleEndianBytes } from './little-endian.ts';

const MAGIC = [0x93, ...new TextEncoder().encode('NUMPY'), 1, 0];
const PREAMBLE_BYTES = MAGIC.length + 2;
const DATA_ALIGNMENT = 64;
const MAX_HEADER_BYTES = 0xffff;

const NUMPY_DESCR: Readonly<Record<TensorDType, string>> = { float32: '<f4', int32: '<i4', uint8: '|u1' };

/** An array as NumPy describes it: its dtype string ('<f4', '<U12', …), its shape, its bytes. */
interface NpyArray {
  descr: string;
  shape: readonly number[];
  bytes: Uint8Array;
}

export function tensorNpy(tensor: NamedTensor): Uint8Array {
  return encodeNpy({ descr: NUMPY_DESCR[tensor.dtype], shape: tensor.shape, bytes: littleEndianBytes(tensor.data) });
}

/** A 0-d unicode array ('<UN': N UTF-32 code units): `str(array)` gives `text` back, no pickle needed. */
export function stringNpy(text: string): Uint8Array {
  const codePoints = Array.from(text, (c) => c.codePointAt(0)!);
  const bytes = new Uint8Array(Math.max(1, codePoints.length) * 4);
  const view = new DataView(bytes.buffer);
  codePoints.forEach((code, i) => view.setUint32(i * 4, code, true));
  return encodeNpy({ descr: `<U${Math.max(1, codePoints.length)}`, shape: [], bytes });
}

function encodeNpy(array: NpyArray): Uint8Array {
  // Python writes a 1-tuple with a trailing comma: (5,)
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  const dict = `{'descr': '${array.descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const unpadded = PREAMBLE_BYTES + dict.length + 1;
  const headerText = dict + ' '.repeat((DATA_ALIGNMENT - (unpadded % DATA_ALIGNMENT)) % DATA_ALIGNMENT) + '\n';
  if (headerText.length > MAX_HEADER_BYTES) throw new Error(`npy: a header of ${headerText.length} bytes does not fit format version 1.0`);
  const out = new Uint8Array(PREAMBLE_BYTES + headerText.length + array.bytes.byteLength);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint16(MAGIC.length, headerText.length, true);
  out.set(new TextEncoder().encode(headerText), PREAMBLE_BYTES);
  out.set(array.bytes, PREAMBLE_BYTES + headerText.length);
  return out;
}
