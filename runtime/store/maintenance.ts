// The core of `ltx cache ls|verify|gc`. Results are data; the CLI decides how to print them. Reading
// refuses a directory that is not a cache; writing (gc, repair) also a read-only one, and deletes only
// names the store itself makes. What gc keeps of valid results is a policy (gc-policy.ts).
import type { Stats } from 'node:fs';
import { lstat, readdir, readFile, rm, rmdir, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { recordBytes } from './action-record.ts';
import type { ActionRecord, RecordParse } from './action-record.ts';
import { DEFAULT_STALE_AFTER_MS, inspectClaim, removeStaleClaim } from './claims.ts';
import type { StalenessPolicy } from './claims.ts';
import { isSha256Hex, sha256OfFile } from './digest.ts';
import type { Sha256Hex } from './digest.ts';
import { errorCode } from './durable-fs.ts';
import { asAccessError } from './errors.ts';
import { keptResults, type RetentionPolicy } from './gc-policy.ts';
import { CLAIM_SUFFIX, isStaleClaimEntry, isStagingEntry, keyPrefixOf, runStepOf } from './layout.ts';
import { allProgramRuns, forgetRemovedStages } from './program-runs.ts';
import { parseRunStepEntry, readdirOrEmpty } from './store.ts';
import type { BlobProblem, Store } from './store.ts';

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

export interface GcOptions extends RetentionPolicy {
  /** Find everything gc would remove and report it, but delete nothing. */
  readonly dryRun?: boolean;
  /** Leftovers younger than this are spared: they may belong to a commit in progress. Default 1 min. */
  readonly graceMs?: number;
  /** When claims from other hosts go stale (see StageClaims). */
  readonly staleAfterMs?: number;
  readonly host?: string;
  readonly now?: Date;
}

/** A result gc removed (or, in a dry run, would remove). */
export interface RemovedResult {
  readonly key: Sha256Hex;
  /** Unknown for a record that cannot be read. */
  readonly name?: string;
  readonly op?: string;
  /** When it was computed (ISO 8601); unknown for a record that cannot be read. */
  readonly date?: string;
  /** Its outputs' sizes (a blob another result keeps is not freed with it). */
  readonly bytes: number;
  /** broken: unreadable, or an output missing or of the wrong size; unkept: outside what gc was asked to keep. */
  readonly reason: 'broken' | 'unkept';
}

export interface GcReport {
  readonly dryRun: boolean;
  readonly removedRecords: readonly RemovedResult[];
  /** Valid results left in place. */
  readonly keptRecords: number;
  readonly removedBlobs: number;
  readonly removedTmp: number;
  readonly removedClaims: number;
  readonly bytesFreed: number;
}

export interface RepairReport {
  /** Records dropped: their stages read as absent, and the next run computes them again. */
  readonly removedRecords: readonly Sha256Hex[];
  /** Blobs whose bytes were not the ones named by their digest. */
  readonly removedBlobs: number;
}

export const DEFAULT_GC_GRACE_MS = 60_000;

export class CacheMaintenance {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Every record: key, name, op, bytes, date. */
  async ls(): Promise<CacheListing> {
    await this.#store.assertReadable();
    const entries: CacheEntry[] = [];
    const unreadable: { key: Sha256Hex; reason: string }[] = [];
    for (const { key, parsed } of await this.#readRecords()) {
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
    await this.#store.assertReadable();
    const problems: VerifyProblem[] = [];
    // One verdict per blob and recorded size: a blob shared by several stages is hashed once.
    const verdicts = new Map<string, BlobProblem | undefined>();
    const intact = new Map<Sha256Hex, number>();
    const checked = new Set<Sha256Hex>();
    let records = 0;
    for (const { key, parsed } of await this.#readRecords()) {
      records++;
      if (!parsed.ok) {
        problems.push({ kind: 'invalid-record', key, detail: parsed.reason });
        continue;
      }
      for (const [output, ref] of Object.entries(parsed.record.outputs)) {
        const id = `${ref.digest}:${ref.bytes}`;
        if (!verdicts.has(id)) verdicts.set(id, await this.#store.blobProblem(ref, { verifyContent: true }));
        checked.add(ref.digest);
        const problem = verdicts.get(id);
        if (problem === undefined) intact.set(ref.digest, ref.bytes);
        else problems.push({ kind: problem.kind === 'missing' ? 'missing-blob' : 'corrupt-blob', key, output, digest: ref.digest, detail: problem.detail });
      }
    }
    const bytes = [...intact.values()].reduce((sum, size) => sum + size, 0);
    return { ok: problems.length === 0, records, blobs: checked.size, bytes, problems };
  }

  /**
   * Drop what verify found broken, so those stages read as absent and the next run computes them
   * again: each record (if it is still broken when looked at again) and each blob whose bytes are not
   * the ones its digest names (re-hashed first: a commit may have replaced it meanwhile).
   */
  async repair(problems: readonly VerifyProblem[]): Promise<RepairReport> {
    if (problems.length === 0) return { removedRecords: [], removedBlobs: 0 };
    await this.#store.prepareForWriting();
    try {
      const removedRecords: Sha256Hex[] = [];
      for (const key of new Set(problems.map((problem) => problem.key))) {
        if (await this.#store.discardIfBroken(key, { verifyContent: true })) removedRecords.push(key);
      }
      let removedBlobs = 0;
      for (const problem of problems) {
        if (problem.kind === 'corrupt-blob' && (await this.#removeDamagedBlob(problem.digest))) removedBlobs++;
      }
      const removed = new Set(removedRecords);
      await forgetRemovedStages(this.#store, (key) => !removed.has(key));
      await this.#dropDanglingRunSteps();
      return { removedRecords, removedBlobs };
    } catch (error) {
      throw asAccessError(error, this.#store.root, 'write to');
    }
  }

  async #removeDamagedBlob(digest: Sha256Hex): Promise<boolean> {
    const path = this.#store.layout.blobPath(digest);
    const info = await statOrUndefined(path);
    if (info === undefined || (info.isFile() && (await sha256OfFile(path)) === digest)) return false;
    await rm(path, { recursive: true, force: true });
    return true;
  }

  /**
   * Remove what no result needs: staging leftovers (older than the grace period, stage not claimed),
   * stale claims, unreadable records and records with a missing or resized blob, valid records the
   * retention policy does not keep, and blobs no remaining record references. With `dryRun`, report the
   * same and delete nothing. Blobs are listed before records are read, so a blob placed by a concurrent
   * commit after the listing is never considered, and one placed or reused during it is younger than
   * the grace period.
   */
  async gc(options: GcOptions = {}): Promise<GcReport> {
    const dryRun = options.dryRun ?? false;
    if ((await this.#store.assertReadable()) === 'missing') {
      return { dryRun, removedRecords: [], keptRecords: 0, removedBlobs: 0, removedTmp: 0, removedClaims: 0, bytesFreed: 0 };
    }
    if (!dryRun) await this.#store.prepareForWriting();
    try {
      return await this.#collect(options, dryRun);
    } catch (error) {
      throw asAccessError(error, this.#store.root, 'write to');
    }
  }

  async #collect(options: GcOptions, dryRun: boolean): Promise<GcReport> {
    const now = options.now ?? new Date();
    const graceMs = options.graceMs ?? DEFAULT_GC_GRACE_MS;
    const policy: StalenessPolicy = { host: options.host ?? hostname(), staleAfterMs: options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS };
    const isOld = (info: Stats): boolean => now.getTime() - info.mtimeMs > graceMs;
    const remove = async (path: string, recursive = false): Promise<void> => {
      if (!dryRun) await rm(path, { recursive, force: true });
    };
    const { layout } = this.#store;
    let bytesFreed = 0;

    const blobs = await this.#listBlobs();

    const records = await this.#readRecords();
    const valid = new Map<Sha256Hex, ActionRecord>();
    for (const { key, parsed } of records) if (parsed.ok && !(await this.#hasBrokenBlob(parsed.record))) valid.set(key, parsed.record);
    const kept = keptResults(valid, await allProgramRuns(this.#store), options);

    const removedRecords: RemovedResult[] = [];
    const referenced = new Set<Sha256Hex>();
    let keptRecords = 0;
    for (const { key, parsed } of records) {
      const path = layout.actionPath(key);
      const info = await statOrUndefined(path);
      const reason = !valid.has(key) ? 'broken' : kept.has(key) ? undefined : 'unkept';
      if (reason !== undefined && info !== undefined && isOld(info)) {
        await remove(path, true);
        bytesFreed += info.size;
        removedRecords.push(removedResult(key, parsed, reason));
        continue;
      }
      if (valid.has(key)) keptRecords++;
      if (parsed.ok) for (const ref of Object.values(parsed.record.outputs)) referenced.add(ref.digest);
    }
    if (!dryRun) {
      const removed = new Set(removedRecords.map((r) => r.key));
      await forgetRemovedStages(this.#store, (key) => !removed.has(key));
    }
    await this.#dropDanglingRunSteps();

    let removedBlobs = 0;
    for (const blob of blobs) {
      if (referenced.has(blob.digest)) continue;
      // Look again right before deleting: a commit may have just reused (and touched) this blob.
      const info = await statOrUndefined(blob.path);
      if (info === undefined || !isOld(info)) continue;
      await remove(blob.path, true);
      bytesFreed += info.size;
      removedBlobs++;
    }
    if (!dryRun) await this.#dropEmptyFanOutDirs();

    let removedTmp = 0;
    for (const entry of await readdirOrEmpty(layout.tmpDir)) {
      if (!isStagingEntry(entry)) continue;
      const path = join(layout.tmpDir, entry);
      const info = await lstatOrUndefined(path);
      if (info === undefined || !isOld(info)) continue;
      const key = keyPrefixOf(entry);
      if (key !== undefined && (await inspectClaim(layout, key, policy, now)).state === 'live') continue;
      bytesFreed += await sizeOnDisk(path);
      await remove(path, true);
      removedTmp++;
    }

    let removedClaims = 0;
    for (const entry of await readdirOrEmpty(layout.claimsDir)) {
      const path = join(layout.claimsDir, entry);
      const key = keyPrefixOf(entry);
      if (isStaleClaimEntry(entry)) {
        // Left behind by a takeover that died between its rename and its unlink.
        const info = await lstatOrUndefined(path);
        if (info !== undefined && isOld(info)) {
          await remove(path);
          removedClaims++;
        }
      } else if (key !== undefined && entry === `${key}${CLAIM_SUFFIX}`) {
        const claim = await inspectClaim(layout, key, policy, now);
        if (claim.state === 'stale' && (dryRun || (await removeStaleClaim(layout, key, claim.raw)))) removedClaims++;
      }
    }

    return { dryRun, removedRecords, keptRecords, removedBlobs, removedTmp, removedClaims, bytesFreed };
  }

  /** Every record file, parsed (or why it cannot be). */
  async #readRecords(): Promise<{ key: Sha256Hex; parsed: RecordParse }[]> {
    const records: { key: Sha256Hex; parsed: RecordParse }[] = [];
    for (const key of await this.#store.listRecordKeys()) {
      const parsed = await this.#store.readRecord(key);
      if (parsed !== undefined) records.push({ key, parsed });
    }
    return records;
  }

  async #listBlobs(): Promise<{ digest: Sha256Hex; path: string }[]> {
    const { blobsDir } = this.#store.layout;
    const blobs: { digest: Sha256Hex; path: string }[] = [];
    for (const fanOut of await readdirOrEmpty(blobsDir)) {
      if (!FAN_OUT.test(fanOut)) continue;
      // A file where a fan-out directory belongs holds no blobs (and is not ltx's to delete).
      const names = await readdirOrEmpty(join(blobsDir, fanOut)).catch((error: unknown) => {
        if (errorCode(error) === 'ENOTDIR') return [];
        throw error;
      });
      for (const rest of names) {
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
      if (FAN_OUT.test(fanOut)) await rmdir(join(blobsDir, fanOut)).catch(() => undefined);
    }
  }

  /** runs/ entries ltx wrote whose record no longer exists, then run directories left empty. */
  async #dropDanglingRunSteps(): Promise<void> {
    const { layout } = this.#store;
    for (const run of await readdirOrEmpty(layout.runsDir)) {
      if (!isSha256Hex(run)) continue;
      for (const file of await readdirOrEmpty(layout.runDir(run))) {
        const step = runStepOf(file);
        if (step === undefined) continue;
        const path = layout.runStepPath(run, step);
        const entry = parseRunStepEntry(await readFile(path, 'utf8').catch(() => ''));
        if (entry === undefined || entry.run !== run || entry.step !== step) continue;
        if ((await this.#store.readRecord(entry.key)) === undefined) await rm(path, { force: true });
      }
      // rmdir refuses a directory that is not empty: a commit indexing a step meanwhile keeps it.
      await rmdir(layout.runDir(run)).catch(() => undefined);
    }
  }

  /** Whether an output of `record` is missing, not a file, or of another size than recorded (no hashing). */
  async #hasBrokenBlob(record: ActionRecord): Promise<boolean> {
    for (const ref of Object.values(record.outputs)) if ((await this.#store.blobProblem(ref)) !== undefined) return true;
    return false;
  }
}

const FAN_OUT = /^[0-9a-f]{2}$/;

function removedResult(key: Sha256Hex, parsed: RecordParse, reason: RemovedResult['reason']): RemovedResult {
  if (!parsed.ok) return { key, bytes: 0, reason };
  const { record } = parsed;
  return { key, ...(record.name === undefined ? {} : { name: record.name }), op: record.preimage.op, date: record.finishedAt, bytes: recordBytes(record), reason };
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
