// SHA-256 of data files, remembered by size, modification time and inode so that an unchanged file is not
// read again: every command compiles the program, and Fashion-MNIST alone is 30 MB. The digests live in
// $XDG_CACHE_HOME/ltx/file-digests.json (~/.cache/ltx/ when unset), not in a project's result cache: a
// digest is a fact about a file on this machine, the same for every program and cache that reads it,
// and commands without a result cache (check, diff) need it too. Losing the file only costs a re-hash.
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, readFileSync, renameSync, writeFileSync, type BigIntStats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Sha256Hex } from '../core/hash.ts';

interface Entry {
  size: string;
  mtimeNs: string;
  ino: string;
  sha256: Sha256Hex;
  /** When the file was hashed (ns since the epoch). */
  hashedAtNs: string;
}

/** Files remembered at most; the least recently hashed are forgotten first. */
const MAX_ENTRIES = 4096;
/**
 * An entry is trusted only for a file last modified this long before it was hashed: a write within the
 * same tick of a coarse clock (FAT keeps 2 s) would leave size and mtime as they were.
 */
const RACY_WINDOW_NS = 2_000_000_000n;

export function defaultDigestFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME?.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'ltx', 'file-digests.json');
}

export async function sha256OfFile(path: string): Promise<Sha256Hex> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

function unchanged(entry: Entry, info: BigIntStats): boolean {
  return entry.size === String(info.size) && entry.mtimeNs === String(info.mtimeNs) && entry.ino === String(info.ino) &&
    info.mtimeNs + RACY_WINDOW_NS < BigInt(entry.hashedAtNs);
}

export class FileDigests {
  private readonly entries: Map<string, Entry>;
  private readonly file: string;
  private changed = false;
  /** Files read and hashed since this object was made (the others came from the fast path). */
  hashed = 0;

  constructor(file: string = defaultDigestFile()) {
    this.file = file;
    this.entries = new Map(Object.entries(readEntries(file)));
  }

  /** The SHA-256 of the file's bytes; read only when its size, mtime or inode changed since it was hashed. */
  async digest(path: string): Promise<Sha256Hex> {
    const info = await stat(path, { bigint: true });
    const entry = this.entries.get(path);
    if (entry && unchanged(entry, info)) return entry.sha256;
    const hashedAtNs = String(BigInt(Date.now()) * 1_000_000n);
    const sha256 = await sha256OfFile(path);
    this.hashed += 1;
    this.entries.delete(path);
    this.entries.set(path, { size: String(info.size), mtimeNs: String(info.mtimeNs), ino: String(info.ino), sha256, hashedAtNs });
    this.changed = true;
    return sha256;
  }

  /** Writes what was learned (atomically: concurrent commands each leave a whole file); failures only cost a re-hash later. */
  save(): void {
    if (!this.changed) return;
    const kept = [...this.entries].slice(-MAX_ENTRIES);
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      writeFileSync(temporary, JSON.stringify(Object.fromEntries(kept)) + '\n');
      renameSync(temporary, this.file);
      this.changed = false;
    } catch {
      // A read-only or full home directory: digests are recomputed next time.
    }
  }
}

function readEntries(file: string): { [path: string]: Entry } {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as { [path: string]: Entry }) : {};
  } catch {
    return {};
  }
}
