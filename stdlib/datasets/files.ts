// Reading data files: gzip is recognised by its magic bytes (1f 8b), not by the file name, and every
// failure becomes a DatasetError that names the file and what ltx expected to find there. Only
// regular files are read, and only up to a size limit, decompressed or not: a path that names a
// device (/dev/zero), a FIFO or a directory, or a file of many gigabytes, is refused before it can
// hang the reader or exhaust its memory.
import { constants as fs, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { constants, gunzip, gunzipSync } from 'node:zlib';
import { DatasetError } from './errors.ts';

const gunzipAsync = promisify(gunzip);

const MiB = 1024 * 1024;

/** The largest contents (decompressed) ltx reads from one data file, by kind. */
export const DATA_FILE_LIMITS = {
  /** A character-level corpus: every character becomes a token (64 MiB is some 67 million of them). */
  text: 64 * MiB,
  /** An IDX file or a CIFAR-10 batch: some 20 times Fashion-MNIST's training images. */
  binary: 1024 * MiB,
} as const;

/** A data file ltx will not read: not a regular file, or larger than its limit. */
export class DataFileRefused extends DatasetError {
  constructor(message: string, file: string) {
    super(message, file);
    this.name = 'DataFileRefused';
  }
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function fileProblem(error: unknown, file: string, what: string): DatasetError {
  if (error instanceof DatasetError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new DatasetError(`${what} not found: ${file}`, file);
  if (code === 'EACCES') return new DatasetError(`cannot read ${what} ${file}: permission denied`, file);
  return new DatasetError(`cannot read ${what} ${file}: ${(error as Error).message}`, file);
}

/** `3.5 GiB`, `812 bytes`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${+value.toFixed(1)} ${units[unit]}`;
}

/** What a path names, for messages: `a regular file`, `a directory`, `a FIFO (named pipe)`, …. */
export function kindOf(info: Stats): string {
  if (info.isFile()) return 'a regular file';
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'neither a file nor a directory';
}

/** Whether `path` is a directory (false when nothing is there); anything else there is refused. */
export async function isDirectory(path: string, what: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) return false;
  if (!info.isDirectory()) throw new DataFileRefused(`${what} ${path} is ${kindOf(info)}, not a directory`, path);
  return true;
}

/** `… is 3.5 GiB, over the 64 MiB ltx reads of a text file`: `detail` says how large the file is. */
function tooLarge(file: string, what: string, detail: string, limit: number): DataFileRefused {
  return new DataFileRefused(`${what} ${file} ${detail} the ${formatBytes(limit)} ltx reads of a ${what}`, file);
}

function refuseUnlessRegular(info: Stats, file: string, what: string, limit: number): void {
  if (!info.isFile()) throw new DataFileRefused(`${what} ${file} is ${kindOf(info)}, not a regular file`, file);
  if (info.size > limit) throw tooLarge(file, what, `is ${formatBytes(info.size)}, over`, limit);
}

/**
 * `file`, once it is known to be a regular file ltx would read: what a dataset's `files` lists. Its
 * absence is reported as such, for the compiler to say at the `path:` argument.
 */
export async function dataFile(file: string, what: string, limit: number): Promise<string> {
  let info: Stats;
  try {
    info = await stat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new DatasetError(`no such file: ${file}`, file);
    throw fileProblem(error, file, what);
  }
  refuseUnlessRegular(info, file, what, limit);
  return file;
}

/**
 * Opens `file` for reading after checking that it is a regular file of at most `limit` bytes. The
 * check comes first because opening a FIFO blocks until someone writes to it; the open does not
 * block either way, and the handle is checked again in case the path changed in between.
 */
async function openRegularFile(file: string, what: string, limit: number): Promise<FileHandle> {
  let handle: FileHandle | undefined;
  try {
    refuseUnlessRegular(await stat(file), file, what, limit);
    handle = await open(file, fs.O_RDONLY | fs.O_NONBLOCK);
    refuseUnlessRegular(await handle.stat(), file, what, limit);
    return handle;
  } catch (error) {
    await handle?.close();
    throw fileProblem(error, file, what);
  }
}

/**
 * Up to `limit` + 1 bytes from the start of the file: files whose size says nothing (those under
 * /proc report 0) are read only until they pass the limit.
 */
async function readUpTo(handle: FileHandle, limit: number, file: string, what: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const chunk = new Uint8Array(Math.min(1 * MiB, limit + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, total);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > limit) throw tooLarge(file, what, 'holds more than', limit);
    }
  } catch (error) {
    throw fileProblem(error, file, what);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

function gunzipProblem(error: unknown, file: string, what: string, limit: number): DatasetError {
  if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge(file, what, 'decompresses to more than', limit);
  return new DatasetError(`${what} ${file} is not valid gzip data (${(error as Error).message})`, file);
}

/**
 * The file's bytes, decompressed when it is gzipped. `what` describes it for messages ("the MNIST
 * labels"); `limit` bounds the contents, before and after decompression.
 */
export async function readDataFile(file: string, what: string, limit: number): Promise<Uint8Array> {
  const handle = await openRegularFile(file, what, limit);
  let bytes: Uint8Array;
  try {
    bytes = await readUpTo(handle, limit, file, what);
  } finally {
    await handle.close();
  }
  if (!isGzip(bytes)) return bytes;
  try {
    return await gunzipAsync(bytes, { maxOutputLength: limit });
  } catch (error) {
    throw gunzipProblem(error, file, what, limit);
  }
}

export interface FileHead {
  /** The first bytes of the (decompressed) contents; fewer than asked for only when the data is shorter. */
  head: Uint8Array;
  compressed: boolean;
  /** Length of the file on disk. */
  storedLength: number;
}

/**
 * Up to `count` leading bytes of the contents, decompressing only as much of a gzip file as that
 * needs. The file must be a regular file of at most `limit` bytes.
 */
export async function readFileHead(file: string, count: number, what: string, limit: number): Promise<FileHead> {
  const handle = await openRegularFile(file, what, limit);
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
      throw gunzipProblem(error, file, what, limit);
    }
    return { head: inflated.subarray(0, count), compressed: true, storedLength };
  } catch (error) {
    throw fileProblem(error, file, what);
  } finally {
    await handle.close();
  }
}
