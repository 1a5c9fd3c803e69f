// Whether a directory is an ltx cache. ltx writes ltx-cache.json at the root of every cache it creates
// (or adopts), so the commands that write or delete can refuse anything else: `--cache /` must never
// empty /tmp. A directory from before the marker existed is recognised by holding nothing but ltx's
// layout, and adopted by the first command that writes.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode, makeDirectory, writeFileAtomically } from './durable-fs.ts';
import { isJsonObject } from './json.ts';
import { CACHE_MARKER, LAYOUT_DIRECTORIES } from './layout.ts';
import type { StoreLayout } from './layout.ts';

export const CACHE_FORMAT = 'ltx-cache';
/** The layout's version: bump it when an older ltx could not read what a newer one writes. */
export const CACHE_FORMAT_VERSION = 1;

export type CacheCondition =
  /** Nothing at the path: it reads as an empty cache and the first write creates it. */
  | { readonly state: 'missing' }
  | { readonly state: 'cache' }
  /** Empty, or holding only ltx's layout (made before the marker existed): the first write adopts it. */
  | { readonly state: 'unmarked' }
  /** Not ltx's: nothing in it is read as a result, written or deleted. */
  | { readonly state: 'foreign'; readonly why: string }
  /** An ltx cache that cannot be used as it is; `why` says what to do about it. */
  | { readonly state: 'unusable'; readonly why: string };

/** Look at `layout.root` without changing anything. Errors other than "not there" are thrown. */
export async function cacheCondition(layout: StoreLayout): Promise<CacheCondition> {
  let entries: string[];
  try {
    if (!(await stat(layout.root)).isDirectory()) return { state: 'foreign', why: 'it is a file, not a directory' };
    entries = await readdir(layout.root);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') return { state: 'missing' };
    if (code === 'ENOTDIR') return { state: 'foreign', why: 'a part of its path is a file' };
    throw error;
  }
  const marked = entries.includes(CACHE_MARKER);
  if (marked) {
    const problem = await markerProblem(layout.markerPath);
    if (problem !== undefined) return problem;
  } else {
    const strangers = entries.filter((entry) => !(LAYOUT_DIRECTORIES as readonly string[]).includes(entry));
    if (strangers.length > 0) return { state: 'foreign', why: `it holds ${listed(strangers)}, which ltx did not create` };
  }
  for (const directory of [...LAYOUT_DIRECTORIES, join('blobs', 'sha256')]) {
    const path = join(layout.root, directory);
    const info = await stat(path).catch((error: unknown) => {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    });
    if (info === undefined || info.isDirectory()) continue;
    return marked
      ? { state: 'unusable', why: `its layout is damaged: ${path} is a file, not a directory (move it away; ltx makes a new one)` }
      : { state: 'foreign', why: `it holds a file '${directory}' where an ltx cache has a directory` };
  }
  return marked ? { state: 'cache' } : { state: 'unmarked' };
}

async function markerProblem(path: string): Promise<CacheCondition | undefined> {
  const damaged: CacheCondition = { state: 'unusable', why: `its marker ${path} is damaged (replace it with ${markerText().trim()})` };
  let marker: unknown;
  try {
    marker = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    const code = errorCode(error);
    if (code !== undefined && code !== 'EISDIR') throw error;
    return damaged;
  }
  if (!isJsonObject(marker) || marker['format'] !== CACHE_FORMAT || !Number.isSafeInteger(marker['version'])) return damaged;
  const version = marker['version'] as number;
  if (version > CACHE_FORMAT_VERSION) {
    return { state: 'unusable', why: `it was made by a newer ltx (cache format ${version}; this ltx knows ${CACHE_FORMAT_VERSION})` };
  }
  return undefined;
}

/** Create the cache, or adopt an unmarked one, by writing its marker (atomically: readers see all of it or none). */
export async function writeCacheMarker(layout: StoreLayout): Promise<void> {
  await makeDirectory(layout.root);
  await writeFileAtomically(layout.markerPath, markerText(), layout.tmpDir);
}

function markerText(): string {
  return `${JSON.stringify({ format: CACHE_FORMAT, version: CACHE_FORMAT_VERSION })}\n`;
}

function listed(names: readonly string[]): string {
  const shown = [...names].sort().slice(0, 4).map((name) => `'${name}'`);
  return names.length > shown.length ? `${shown.join(', ')} and ${names.length - shown.length} more` : shown.join(', ');
}
