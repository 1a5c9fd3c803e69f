// A ZIP archive of stored (uncompressed) files, as NumPy's np.savez writes an .npz: local headers with
// each file's CRC-32 and sizes, the files, the central directory, the end-of-central-directory record.
// Times are fixed at 1980-01-01 00:00 (the earliest DOS time), so equal files give equal archives.
// No ZIP64: an archive beyond 4 GiB or 65,535 files is refused rather than written wrong.
import { crc32 } from 'node:zlib';

export interface ZipEntry {
  name: string;
  bytes: Uint8Array;
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const LOCAL_HEADER_BYTES = 30;
const CENTRAL_HEADER_BYTES = 46;
const END_BYTES = 22;
/** 2.0: the version that introduced stored files in folders; enough for readers to accept these. */
const VERSION = 20;
/** Bit 11: names are UTF-8. */
const UTF8_NAMES = 0x0800;
const STORED = 0;
const DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;
const MAX_32 = 0xffffffff;
const MAX_ENTRIES = 0xffff;

type Field = readonly [width: 2 | 4, value: number];

interface ZipFile {
  encodedName: Uint8Array;
  bytes: Uint8Array;
  crc: number;
}

export function zipStored(entries: readonly ZipEntry[]): Uint8Array {
  if (entries.length > MAX_ENTRIES) throw new Error(`zip: ${entries.length} files are more than a ZIP without ZIP64 holds`);
  const files: ZipFile[] = entries.map((entry) => ({ bytes: entry.bytes, encodedName: new TextEncoder().encode(entry.name), crc: crc32(entry.bytes) }));
  const localBytes = files.reduce((sum, f) => sum + LOCAL_HEADER_BYTES + f.encodedName.length + f.bytes.byteLength, 0);
  const centralBytes = files.reduce((sum, f) => sum + CENTRAL_HEADER_BYTES + f.encodedName.length, 0);
  if (localBytes + centralBytes > MAX_32) throw new Error('zip: the archive would be larger than 4 GiB, which a ZIP without ZIP64 cannot hold');
  const out = new Uint8Array(localBytes + centralBytes + END_BYTES);
  const view = new DataView(out.buffer);
  let at = 0;
  const put = (bytes: Uint8Array): void => {
    out.set(bytes, at);
    at += bytes.byteLength;
  };
  const offsets: number[] = [];
  for (const file of files) {
    offsets.push(at);
    at = writeFields(view, at, [[4, LOCAL_HEADER], ...sharedFields(file)]);
    put(file.encodedName);
    put(file.bytes);
  }
  const centralStart = at;
  files.forEach((file, i) => {
    // Version made by; the shared fields; comment length, disk, internal and external attributes, where the local header is.
    at = writeFields(view, at, [[4, CENTRAL_HEADER], [2, VERSION], ...sharedFields(file), [2, 0], [2, 0], [2, 0], [4, 0], [4, offsets[i]!]]);
    put(file.encodedName);
  });
  // This disk, the central directory's disk, its entries here and in all, its size and offset, comment length.
  writeFields(view, at, [[4, END_OF_CENTRAL_DIRECTORY], [2, 0], [2, 0], [2, files.length], [2, files.length], [4, at - centralStart], [4, centralStart], [2, 0]]);
  return out;
}

/** What a local and a central header both say of a file, from "version needed" to the extra field's length. */
function sharedFields(file: ZipFile): Field[] {
  return [
    [2, VERSION], [2, UTF8_NAMES], [2, STORED], [2, 0], [2, DOS_DATE_1980_01_01],
    [4, file.crc], [4, file.bytes.byteLength], [4, file.bytes.byteLength], [2, file.encodedName.length], [2, 0],
  ];
}

/** Little-endian fields in a row; returns the offset after them. */
function writeFields(view: DataView, at: number, fields: readonly Field[]): number {
  for (const [width, value] of fields) {
    if (width === 2) view.setUint16(at, value, true);
    else view.setUint32(at, value, true);
    at += width;
  }
  return at;
}
