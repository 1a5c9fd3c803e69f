// Where program text comes from: the filesystem (git revisions, for `ltx diff`, are git-host.ts's).
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import type { CompileHost } from '../compiler/program-loader.ts';

export const fileHost: CompileHost = {
  readFile(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  whyUnreadable(path) {
    try {
      if (statSync(path).isDirectory()) return 'it is a directory, not a file';
      readFileSync(path);
      return undefined;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === undefined ? (error as Error).message : (unreadableBecause[code] ?? code);
    }
  },
  resolveImport(fromFile, spec) {
    return normalize(join(dirname(fromFile), spec));
  },
};

const unreadableBecause: Record<string, string> = {
  ENOENT: 'no such file',
  ENOTDIR: 'a part of the path is a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};
