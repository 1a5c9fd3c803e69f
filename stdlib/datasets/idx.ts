// The IDX format of MNIST and Fashion-MNIST: a big-endian magic number (two zero bytes, a type code,
// the number of dimensions), one 32-bit big-endian size per dimension, then the data row-major.
// Only unsigned bytes (type 0x08) occur in these datasets, so only they are accepted.
import { DatasetError } from './errors.ts';

const UNSIGNED_BYTE = 0x08;

export interface IdxHeader {
  dims: number[];
  /** Bytes before the data: 4 for the magic number plus 4 per dimension. */
  headerLength: number;
}

export interface IdxArray extends IdxHeader {
  data: Uint8Array;
}

const hex = (value: number): string => `0x${value.toString(16).padStart(8, '0')}`;

/** The expected magic number of an unsigned-byte IDX file with `rank` dimensions (0x00000803 for images). */
export function idxMagic(rank: number): number {
  return (UNSIGNED_BYTE << 8) | rank;
}

/** Reads and checks the header; `what` names the contents for messages ("images", "labels"). */
export function parseIdxHeader(bytes: Uint8Array, file: string, rank: number, what: string): IdxHeader {
  const expected = `${hex(idxMagic(rank))} (IDX ${what}: unsigned bytes, ${rank} dimension${rank === 1 ? '' : 's'})`;
  if (bytes.length < 4) {
    throw new DatasetError(`${file} is truncated: ${bytes.length} bytes, too short for an IDX magic number ${expected}`, file);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (magic !== idxMagic(rank)) {
    throw new DatasetError(`${file} has magic number ${hex(magic)}, expected ${expected}`, file);
  }
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) {
    throw new DatasetError(`${file} is truncated: its IDX header needs ${headerLength} bytes, the file holds ${bytes.length}`, file);
  }
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  return { dims, headerLength };
}

/** Parses a whole IDX file and checks that its length is exactly what the header announces. */
export function parseIdx(bytes: Uint8Array, file: string, rank: number, what: string): IdxArray {
  const header = parseIdxHeader(bytes, file, rank, what);
  const dataLength = header.dims.reduce((a, b) => a * b, 1);
  const expectedLength = header.headerLength + dataLength;
  if (bytes.length !== expectedLength) {
    const problem = bytes.length < expectedLength ? 'is truncated' : 'has trailing data';
    throw new DatasetError(
      `${file} ${problem}: its header (${header.dims.join(' × ')} ${what}) needs ${expectedLength} bytes, ` +
        `the file holds ${bytes.length}`,
      file,
    );
  }
  return { ...header, data: bytes.subarray(header.headerLength) };
}
