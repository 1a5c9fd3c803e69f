// Program text as it was at a git revision, `git show COMMIT:PATH`, for `ltx diff`.
// A revision comes from the command line: it is resolved to a commit id before git sees it in any other
// place, so no argument can ever be read by git as an option (`--output=FILE` would make git write FILE).
import { execFileSync, spawnSync } from 'node:child_process';
import { posix, resolve } from 'node:path';
import type { CompileHost } from '../compiler/program-loader.ts';

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
