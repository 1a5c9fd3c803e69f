// Why a path given with --out cannot be written, in words: the commands that write files say it in
// their usage error naming the flag.
import { errorCode } from '../runtime/store/durable-fs.ts';

const unwritableBecause: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file',
  EEXIST: 'it is a file, not a directory',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'a read-only file system',
  // What mkdir says under /proc, where no new name can be made although the parent exists.
  ENOENT: 'nothing can be created there',
};

export function whyUnwritable(error: unknown): string {
  const code = errorCode(error);
  if (code === undefined) return (error as Error).message;
  const because = unwritableBecause[code];
  return because === undefined ? code : `${code}: ${because}`;
}
