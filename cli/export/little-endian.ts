// The bytes of a tensor's elements in little-endian order: what safetensors and NumPy's '<f4' / '<i4'
// hold, whatever the byte order of the machine that writes them.
import type { NamedTensor } from '../../runtime/store/index.ts';

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function littleEndianBytes(data: NamedTensor['data']): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const width = data.BYTES_PER_ELEMENT;
  if (HOST_IS_LITTLE_ENDIAN || width === 1) return bytes;
  const swapped = new Uint8Array(bytes.length);
  for (let element = 0; element < bytes.length; element += width) {
    for (let i = 0; i < width; i++) swapped[element + i] = bytes[element + width - 1 - i]!;
  }
  return swapped;
}
