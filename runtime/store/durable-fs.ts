// File operations whose results survive a crash: data is fsynced before it becomes visible under its
// final name, and the directory entry is fsynced after a rename (POSIX does not promise otherwise).
import { copyFile, link, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { nonce } from './layout.ts';

export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/**
 * `mkdir -p` that always ends: `path` and its missing parents, or the error of the first that cannot be
 * made. Node's `mkdir(path, {recursive: true})` never returns where mkdir says ENOENT although the
 * parent exists (any new name under /proc): it makes the parent, gets EEXIST, retries the child, forever.
 * Here a directory is retried once, after its parent was made, so the work is bounded by the path's depth.
 */
export async function makeDirectory(path: string): Promise<void> {
  const target = resolve(path);
  try {
    await mkdir(target);
    return;
  } catch (error) {
    if (await existsAsDirectory(target, error)) return;
    if (errorCode(error) !== 'ENOENT' || dirname(target) === target) throw error;
  }
  await makeDirectory(dirname(target));
  try {
    await mkdir(target);
  } catch (error) {
    if (!(await existsAsDirectory(target, error))) throw error;
  }
}

/** Whether mkdir's `error` only says that the directory is already there (made by someone else). */
async function existsAsDirectory(path: string, error: unknown): Promise<boolean> {
  if (errorCode(error) !== 'EEXIST') return false;
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/** Create a new file (never overwrite) with `bytes`, flushed to the disk. */
export async function writeNewFileDurably(path: string, bytes: Uint8Array | string): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsync a directory so that entries created or renamed in it are durable. */
export async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replace `path` with `bytes` atomically: readers see the old content or the new one, never a mix.
 * The temporary file lives in `stagingDir` (same filesystem) so the rename is atomic.
 */
export async function writeFileAtomically(path: string, bytes: Uint8Array | string, stagingDir: string): Promise<void> {
  await makeDirectory(stagingDir);
  await makeDirectory(dirname(path));
  const temporary = join(stagingDir, `atomic.${nonce()}`);
  try {
    await writeNewFileDurably(temporary, bytes);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(dirname(path));
}

/**
 * Put `source` at `target` unless something is already there; returns whether it placed it.
 * A hard link is create-if-absent in one step, so concurrent writers of one blob cannot clobber
 * each other; the source stays where it is (the commit keeps it until its record is durable).
 * Filesystems without hard links fall back to renaming a copy, which is also safe here because
 * every writer of one target writes identical bytes (a rename may replace, never tear).
 */
export async function placeIfAbsent(source: string, target: string): Promise<boolean> {
  try {
    await link(source, target);
    return true;
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS' || code === 'EXDEV') {
      const copy = `${source}.copy-${nonce()}`;
      await copyFile(source, copy);
      await rename(copy, target);
      return true;
    }
    throw error;
  }
}
