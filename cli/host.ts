// Where program text comes from: the filesystem (git revisions, for `ltx diff`, are git-host.ts's).
import { execFileSync } from 'node:child_process';
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { dirname, join, normalize, resolve } from 'node:path';
import type { CompileHost } from '../compiler/program-loader.ts';
import { MAX_SOURCE_LENGTH } from '../lang/limits.ts';
import { kindOf } from '../stdlib/datasets/files.ts';

// Enough bytes to hold more than MAX_SOURCE_LENGTH characters however they are encoded (UTF-8 takes
// at most 3 bytes per UTF-16 unit), so that a larger file is read only that far and reported as too long.
const MAX_PROGRAM_BYTES = 3 * MAX_SOURCE_LENGTH + 4;

/**
 * The text of a regular file, at most MAX_PROGRAM_BYTES of it; undefined for anything else. Checked
 * before opening (opening a FIFO blocks), and opened without blocking in case the path changed since.
 */
export function readProgramText(path: string): string | undefined {
  let fd: number | undefined;
  try {
    if (!statSync(path).isFile()) return undefined;
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) return undefined;
    // Read until the end rather than by the size: files under /proc report size 0.
    const chunks: Buffer[] = [];
    let total = 0;
    while (total < MAX_PROGRAM_BYTES) {
      const chunk = Buffer.alloc(Math.min(64 * 1024, MAX_PROGRAM_BYTES - total));
      const read = readSync(fd, chunk, 0, chunk.length, total);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Why readProgramText gave nothing. */
export function whyUnreadable(path: string): string | undefined {
  let info: Stats;
  try {
    info = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : undefined;
  }
  return info.isFile() ? undefined : `it is ${kindOf(info)}, not a regular file`;
}

export const fileHost: CompileHost = {
  readFile: readProgramText,
  whyUnreadable,
  resolveImport(fromFile, spec) {
    return normalize(join(dirname(fromFile), spec));
  },
};
/**
 * Where a file of the repository (a path relative to its root, as gitPath gives) is in the working tree:
 * data paths of a program read from git lead there.
 */
export function worktreePath(path: string): string {
  try {
    const top = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return join(top, path);
  } catch {
    return resolve(path);
  }
}
