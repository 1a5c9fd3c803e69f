// Where program text comes from: the filesystem, or `git show REV:PATH` for `ltx diff`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize, posix, resolve } from 'node:path';
import type { CompileHost } from '../compiler/program-loader.ts';

export const fileHost: CompileHost = {
  readFile(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  resolveImport(fromFile, spec) {
    return normalize(join(dirname(fromFile), spec));
  },
};

/** A program as it was at a git revision: `REV:PATH` (PATH relative to the repository root or to cwd with ./). */
export function parseGitSpec(spec: string): { rev: string; path: string } | undefined {
  const m = /^([^:]+):(.+)$/.exec(spec);
  if (!m) return undefined;
  return { rev: m[1]!, path: m[2]! };
}

export function gitHost(rev: string): CompileHost {
  return {
    readFile(path) {
      try {
        return execFileSync('git', ['show', `${rev}:${path}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
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
