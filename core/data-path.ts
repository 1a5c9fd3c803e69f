// Where a dataset's files are. Its `path` parameter, when relative, is relative to the file of the program
// that names it, as an import is. The compiler rewrites it to be relative to the program's entry file,
// so every later phase (sizes and digests before compiling again, loading at run time) resolves it the
// same way: against the entry file's directory, whatever the working directory.
import { posix } from 'node:path';
import type { OpParams } from './op.ts';

/** The parameter of a dataset op that names its file or directory. */
export const DATA_PATH_PARAM = 'path';

function withPath(params: OpParams, rewrite: (path: string) => string): OpParams {
  const path = params[DATA_PATH_PARAM];
  if (typeof path !== 'string' || posix.isAbsolute(path)) return params;
  return { ...params, [DATA_PATH_PARAM]: rewrite(path) };
}

/** A relative path written in a file of `fromDir`, made relative to `toDir` (the entry file's directory). */
export function rebaseDataPath(params: OpParams, fromDir: string, toDir: string): OpParams {
  if (fromDir === toDir) return params;
  return withPath(params, (path) => posix.relative(toDir, posix.join(fromDir, path)) || '.');
}

/** The path made absolute against `programDir`, the directory of the program's entry file. */
export function resolveDataPath(params: OpParams, programDir: string): OpParams {
  return withPath(params, (path) => posix.resolve(programDir, path));
}
