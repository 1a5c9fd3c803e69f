// The core of `ltx cache ls|verify|gc`. Results are data; the CLI decides how to print them.
import type { Stats } from 'node:fs';
import { lstat, readdir, readFile, rm, rmdir, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { recordBytes } from './action-record.ts';
import { DEFAULT_STALE_AFTER_MS, inspectClaim, removeStaleClaim } from './claims.ts';
import type { StalenessPolicy } from './claims.ts';
import { isSha256Hex, sha256OfFile } from './digest.ts';
import type { Sha256Hex } from './digest.ts';
import { errorCode } from './durable-fs.ts';
import { isJsonObject } from './json.ts';
import { CLAIM_SUFFIX, STALE_CLAIM_INFIX, keyPrefixOf } from './layout.ts';
import { readdirOrEmpty } from './store.ts';
import type { Store } from './store.ts';

export interface CacheEntry {
  readonly key: Sha256Hex;
  readonly name: string | undefined;
  readonly op: string;
  /** Sum of the stage's output sizes (blobs shared with other stages are counted for each). */
  readonly bytes: number;
  /** When the stage finished (ISO 8601). */
  readonly date: string;
  readonly outputs: readonly string[];
}

export interface CacheListing {
  /** Valid records, oldest first. */
  readonly entries: readonly CacheEntry[];
  /** Record files that could not be read or parsed. */
  readonly unreadable: readonly { readonly key: Sha256Hex; readonly reason: string }[];
}

export type VerifyProblem =
  | { readonly kind: 'invalid-record'; readonly key: Sha256Hex; readonly detail: string }
  | { readonly kind: 'missing-blob' | 'corrupt-blob'; readonly key: Sha256Hex; readonly output: string; readonly digest: Sha256Hex; readonly detail: string };

export interface VerifyReport {
  readonly ok: boolean;
  readonly records: number;
  /** Distinct blobs re-hashed. */
  readonly blobs: number;
  readonly bytes: number;
  readonly problems: readonly VerifyProblem[];
}

export interface GcOptions {
  /** When given, records of stage keys outside this set are removed too (and then their blobs). */
  readonly keep?: ReadonlySet<Sha256Hex>;
  /** Leftovers younger than this are spared: they may belong to a commit in progress. Default 1 min. */
  readonly graceMs?: number;
  /** When claims from other hosts go stale (see StageClaims). */
  readonly staleAfterMs?: number;
  readonly host?: string;
  readonly now?: Date;
}

export interface GcReport {
  readonly removedRecords: readonly Sha256Hex[];
  readonly removedBlobs: number;
  readonly removedTmp: number;
  readonly removedClaims: number;
  readonly bytesFreed: number;
}

export const DEFAULT_GC_GRACE_MS = 60_000;

type BlobVerdict = { readonly state: 'ok'; readonly bytes: number } | { readonly state: 'missing' | 'corrupt'; readonly detail: string };

export class CacheMaintenance {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Every record: key, name, op, bytes, date. */
  async ls(): Promise<CacheListing> {
    const entries: CacheEntry[] = [];
    const unreadable: { key: Sha256Hex; reason: string }[] = [];
    for (const key of await this.#store.listRecordKeys()) {
      const parsed = await this.#store.readRecord(key);
      if (parsed === undefined) continue;
      if (!parsed.ok) {
        unreadable.push({ key, reason: parsed.reason });
        continue;
      }
      const { record } = parsed;
      entries.push({
        key,
        name: record.name,
        op: record.preimage.op,
        bytes: recordBytes(record),
        date: record.finishedAt,
        outputs: Object.keys(record.outputs),
      });
    }
    entries.sort((a, b) => a.date.localeCompare(b.date) || a.key.localeCompare(b.key));
    return { entries, unreadable };
  }

  /** Re-hash every blob a record references; report each damaged or missing one with its stage key. */
  async verify(): Promise<VerifyReport> {
    const problems: VerifyProblem[] = [];
    const verdicts = new Map<Sha256Hex, BlobVerdict>();
    let records = 0;
    for (const key of await this.#store.listRecordKeys()) {
      const parsed = await this.#store.readRecord(key);
      if (parsed === undefined) continue;
      records++;
      if (!parsed.ok) {
        problems.push({ kind: 'invalid-record', key, detail: parsed.reason });
        continue;
      }
      for (const [output, ref] of Object.entries(parsed.record.outputs)) {
        let verdict = verdicts.get(ref.digest);
        if (verdict === undefined) {
          verdict = await this.#checkBlob(ref.digest);
          verdicts.set(ref.digest, verdict);
        }
        if (verdict.state === 'ok' && verdict.bytes !== ref.bytes) {
          problems.push({ kind: 'corrupt-blob', key, output, digest: ref.digest, detail: `blob has ${verdict.bytes} bytes, the record says ${ref.bytes}` });
        } else if (verdict.state !== 'ok') {
          problems.push({ kind: verdict.state === 'missing' ? 'missing-blob' : 'corrupt-blob', key, output, digest: ref.digest, detail: verdict.detail });
        }
      }
    }
    let bytes = 0;
    for (const verdict of verdicts.values()) if (verdict.state === 'ok') bytes += verdict.bytes;
    return { ok: problems.length === 0, records, blobs: verdicts.size, bytes, problems };
  }

  async #checkBlob(digest: Sha256Hex): Promise<BlobVerdict> {
    const path = this.#store.layout.blobPath(digest);
    try {
      const { size } = await stat(path);
      const actual = await sha256OfFile(path);
      return actual === digest ? { state: 'ok', bytes: size } : { state: 'corrupt', detail: `blob ${digest} hashes to ${actual}` };
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return { state: 'missing', detail: `blob ${digest} is missing` };
      return { state: 'corrupt', detail: `blob ${digest} cannot be read (${errorCode(error) ?? String(error)})` };
    }
  }

  /**
   * Remove what no result needs: staging leftovers (older than the grace period, stage not claimed),
   * stale claims, unreadable records, records outside `keep`, and blobs no remaining record references.
   * Blobs are listed before records are read, so a blob placed by a concurrent commit after the listing
   * is never considered, and one placed or reused during it is younger than the grace period.
   */
  async gc(options: GcOptions = {}): Promise<GcReport> {
    const now = options.now ?? new Date();
    const graceMs = options.graceMs ?? DEFAULT_GC_GRACE_MS;
    const policy: StalenessPolicy = { host: options.host ?? hostname(), staleAfterMs: options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS };
    const isOld = (info: Stats): boolean => now.getTime() - info.mtimeMs > graceMs;
    const { layout } = this.#store;
    let bytesFreed = 0;

    const blobs = await this.#listBlobs();

    const removedRecords: Sha256Hex[] = [];
    const referenced = new Set<Sha256Hex>();
    for (const key of await this.#store.listRecordKeys()) {
      const parsed = await this.#store.readRecord(key);
      if (parsed === undefined) continue;
      const path = layout.actionPath(key);
      const unwanted = !parsed.ok || (options.keep !== undefined && !options.keep.has(key));
      const info = await statOrUndefined(path);
      if (unwanted && info !== undefined && isOld(info)) {
        await rm(path, { force: true });
        bytesFreed += info.size;
        removedRecords.push(key);
        continue;
      }
      if (parsed.ok) for (const ref of Object.values(parsed.record.outputs)) referenced.add(ref.digest);
    }
    await this.#dropDanglingNames();

    let removedBlobs = 0;
    for (const blob of blobs) {
      if (referenced.has(blob.digest)) continue;
      // Look again right before deleting: a commit may have just reused (and touched) this blob.
      const info = await statOrUndefined(blob.path);
      if (info === undefined || !isOld(info)) continue;
      await rm(blob.path, { force: true });
      bytesFreed += info.size;
      removedBlobs++;
    }
    await this.#dropEmptyFanOutDirs();

    let removedTmp = 0;
    for (const entry of await readdirOrEmpty(layout.tmpDir)) {
      const path = join(layout.tmpDir, entry);
      const info = await lstatOrUndefined(path);
      if (info === undefined || !isOld(info)) continue;
      const key = keyPrefixOf(entry);
      if (key !== undefined && (await inspectClaim(layout, key, policy, now)).state === 'live') continue;
      bytesFreed += await sizeOnDisk(path);
      await rm(path, { recursive: true, force: true });
      removedTmp++;
    }

    let removedClaims = 0;
    for (const entry of await readdirOrEmpty(layout.claimsDir)) {
      const path = join(layout.claimsDir, entry);
      const key = keyPrefixOf(entry);
      if (entry.includes(STALE_CLAIM_INFIX)) {
        // Left behind by a takeover that died between its rename and its unlink.
        const info = await lstatOrUndefined(path);
        if (info !== undefined && isOld(info)) {
          await rm(path, { force: true });
          removedClaims++;
        }
      } else if (key !== undefined && entry === `${key}${CLAIM_SUFFIX}`) {
        const claim = await inspectClaim(layout, key, policy, now);
        if (claim.state === 'stale' && (await removeStaleClaim(layout, key, claim.raw))) removedClaims++;
      }
    }

    return { removedRecords, removedBlobs, removedTmp, removedClaims, bytesFreed };
  }

  async #listBlobs(): Promise<{ digest: Sha256Hex; path: string }[]> {
    const { blobsDir } = this.#store.layout;
    const blobs: { digest: Sha256Hex; path: string }[] = [];
    for (const fanOut of await readdirOrEmpty(blobsDir)) {
      if (!/^[0-9a-f]{2}$/.test(fanOut)) continue;
      for (const rest of await readdirOrEmpty(join(blobsDir, fanOut))) {
        const digest = fanOut + rest;
        if (isSha256Hex(digest)) blobs.push({ digest, path: join(blobsDir, fanOut, rest) });
      }
    }
    return blobs;
  }

  async #dropEmptyFanOutDirs(): Promise<void> {
    const { blobsDir } = this.#store.layout;
    for (const fanOut of await readdirOrEmpty(blobsDir)) {
      // rmdir refuses non-empty directories, which is exactly the test wanted (and race-free).
      await rmdir(join(blobsDir, fanOut)).catch(() => undefined);
    }
  }

  /** names/ entries whose stage record no longer exists. */
  async #dropDanglingNames(): Promise<void> {
    const { namesDir } = this.#store.layout;
    for (const entry of await readdirOrEmpty(namesDir)) {
      const path = join(namesDir, entry);
      let key: unknown;
      try {
        const value: unknown = JSON.parse(await readFile(path, 'utf8'));
        key = isJsonObject(value) ? value['key'] : undefined;
      } catch {
        key = undefined;
      }
      if (!isSha256Hex(key) || (await this.#store.readRecord(key)) === undefined) await rm(path, { force: true });
    }
  }
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

async function sizeOnDisk(path: string): Promise<number> {
  const info = await lstatOrUndefined(path);
  if (info === undefined) return 0;
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of await readdir(path).catch(() => [] as string[])) total += await sizeOnDisk(join(path, entry));
  return total;
}
