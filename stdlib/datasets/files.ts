// Reading data files: gzip is recognised by its magic bytes (1f 8b), not by the file name, and every
// failure becomes a DatasetError that names the file and what ltx expected to find there.
import { open, readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { constants, gunzip, gunzipSync } from 'node:zlib';
import { DatasetError } from './errors.ts';

const gunzipAsync = promisify(gunzip);

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function fileProblem(error: unknown, file: string, what: string): DatasetError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new DatasetError(`${what} not found: ${file}`, file);
  if (code === 'EISDIR') return new DatasetError(`${what}: ${file} is a directory, expected a file`, file);
  if (code === 'EACCES') return new DatasetError(`cannot read ${what} ${file}: permission denied`, file);
  return new DatasetError(`cannot read ${what} ${file}: ${(error as Error).message}`, file);
}

/** The file's bytes, decompressed when it is gzipped. `what` describes it for messages ("the MNIST labels"). */
export async function readDataFile(file: string, what: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw fileProblem(error, file, what);
  }
  if (!isGzip(bytes)) return bytes;
  try {
    return await gunzipAsync(bytes);
  } catch (error) {
    throw new DatasetError(`${what} ${file} is not valid gzip data (${(error as Error).message})`, file);
  }
}

/** The file's size in bytes, for checks that need no contents. */
export async function fileSize(file: string, what: string): Promise<number> {
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    return info.size;
  } catch (error) {
    throw fileProblem(error, file, what);
  }
}

export interface FileHead {
  /** The first bytes of the (decompressed) contents; fewer than asked for only when the data is shorter. */
  head: Uint8Array;
  compressed: boolean;
  /** Length of the file on disk. */
  storedLength: number;
}

/** Up to `count` leading bytes of the contents, decompressing only as much of a gzip file as that needs. */
export async function readFileHead(file: string, count: number, what: string): Promise<FileHead> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw fileProblem(error, file, what);
  }
  try {
    const storedLength = (await handle.stat()).size;
    // 64 KiB of deflate data always holds more than a header's worth of output.
    const prefix = new Uint8Array(Math.min(storedLength, Math.max(count, 65536)));
    const { bytesRead } = await handle.read(prefix, 0, prefix.length, 0);
    const stored = prefix.subarray(0, bytesRead);
    if (!isGzip(stored)) return { head: stored.subarray(0, count), compressed: false, storedLength };
    let inflated: Uint8Array;
    try {
      // A sync flush accepts input cut off mid-stream and returns what it decoded so far.
      inflated = gunzipSync(stored, { finishFlush: constants.Z_SYNC_FLUSH });
    } catch (error) {
      throw new DatasetError(`${what} ${file} is not valid gzip data (${(error as Error).message})`, file);
    }
    return { head: inflated.subarray(0, count), compressed: true, storedLength };
  } catch (error) {
    throw error instanceof DatasetError ? error : fileProblem(error, file, what);
  } finally {
    await handle.close();
  }
}
