// Where program text comes from: the filesystem, or `git show COMMIT:PATH` for `ltx diff`.
// A revision comes from the command line: it is resolved to a commit id before git sees it in any other
// place, so no argument can ever be read by git as an option (`--output=FILE` would make git write FILE).
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { dirname, join, normalize, posix, resolve } from 'node:path';
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

/** A program as it was at a git revision: `REV:PATH` (PATH relative to the repository root or to cwd with ./). */
export function parseGitSpec(spec: string): { rev: string; path: string } | undefined {
  const m = /^([^:]+):(.+)$/.exec(spec);
  if (!m) return undefined;
  return { rev: m[1]!, path: m[2]! };
}

export type CommitLookup = { commit: string } | { problem: string };

/** The commit `rev` names (`HEAD`, `HEAD~1`, a tag, a hash), or why it names none. */
export function resolveCommit(rev: string): CommitLookup {
  if (rev.startsWith('-')) return { problem: `a revision cannot start with '-'` };
  const r = spawnSync('git', ['rev-parse', '--verify', '--end-of-options', `${rev}^{commit}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) return { problem: `git cannot be run (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})` };
  const commit = r.stdout.trim();
  if (r.status === 0 && /^[0-9a-f]{40,64}$/.test(commit)) return { commit };
  const said = r.stderr.trim().split('\n').pop()?.replace(/^fatal: /, '');
  return { problem: `git does not know it as a commit${said ? ` (${said})` : ''}` };
}

/** Files as they are in `commit`: a commit id from resolveCommit, never a revision as typed. */
export function gitHost(commit: string): CompileHost {
  return {
    readFile(path) {
      try {
        return execFileSync('git', ['show', '--end-of-options', `${commit}:${path}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      } catch {
        return undefined;
      }
    },
    resolveImport(fromFile, spec) {
      return posix.normalize(posix.join(posix.dirname(fromFile), spec));
    },
  };
}

/** A path as git expects it: relative to the repository root; `./x` means relative to the cwd. */
export function gitPath(path: string): string {
  if (!path.startsWith('./') && !path.startsWith('../')) return path;
  try {
    const prefix = execFileSync('git', ['rev-parse', '--show-prefix'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return posix.normalize(posix.join(prefix, path));
  } catch {
    return resolve(path);
  }
}
