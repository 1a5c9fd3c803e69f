// Per-stage claims: two `ltx run`s sharing one cache compute each stage once. The first to create
// claims/<key>.claim (O_EXCL) computes; the others wait until the claim goes away, then find the
// result committed ('done') or — if the holder failed — claim it themselves. Claims of dead holders
// and of silent ones are taken over. Read-only commands never touch claims.
import type { FileHandle } from 'node:fs/promises';
import { open, readFile, rename, stat, unlink, link } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Sha256Hex } from './digest.ts';
import { errorCode, makeDirectory } from './durable-fs.ts';
import { isJsonObject } from './json.ts';
import { STALE_CLAIM_INFIX, nonce } from './layout.ts';
import type { StoreLayout } from './layout.ts';
import { processStartOf } from './process-start.ts';
import type { Store } from './store.ts';

/** The content of a claim file. */
export interface ClaimContent {
  readonly key: Sha256Hex;
  readonly pid: number;
  readonly host: string;
  readonly runId: string;
  readonly startedAt: string;
  readonly heartbeatAt: string;
  /** When the holder's process started (see processStartOf), where the OS says: tells a reused pid apart. */
  readonly processStart?: string;
  /** The batch job computing the stage for the holder (the Slurm executor), so that a restarted run can adopt it. */
  readonly job?: string;
}

/** Told while `acquire` waits on another's claim: who holds it (undefined: a claim still being written). */
export type WaitingObserver = (holder: ClaimContent | undefined) => void;

export type AcquireOutcome = 'acquired' | 'done';

/** When a claim someone else holds counts as abandoned. */
export interface StalenessPolicy {
  /** This machine: claims from it are also judged by whether their process still exists. */
  readonly host: string;
  /** Any claim goes stale after this long without a heartbeat. */
  readonly staleAfterMs: number;
}

export const DEFAULT_HEARTBEAT_MS = 10_000;
export const DEFAULT_STALE_AFTER_MS = 120_000;
/** How often a waiting acquirer repeats who it waits for. */
export const DEFAULT_WAIT_NOTICE_MS = 60_000;

export interface StageClaimsOptions {
  /** Identifies this `ltx run` in claim files (shown to whoever waits on it). */
  readonly runId: string;
  readonly heartbeatMs?: number;
  readonly staleAfterMs?: number;
  /** First and largest pause between looks at a claim held by someone else. */
  readonly pollInitialMs?: number;
  readonly pollMaxMs?: number;
  /** Defaults to os.hostname(); set it to simulate another machine. */
  readonly host?: string;
  /** Called when a heartbeat finds that a claim this process held was taken over by another. */
  readonly onLost?: (key: Sha256Hex) => void;
  /** How often `acquire` repeats its onWaiting notice while the same holder keeps the claim. */
  readonly waitNoticeMs?: number;
}

export type ClaimState =
  | { readonly state: 'none' }
  | { readonly state: 'live'; readonly content: ClaimContent | undefined }
  | { readonly state: 'stale'; readonly content: ClaimContent | undefined; readonly raw: string; readonly why: string };

interface HeldClaim {
  readonly handle: FileHandle;
  readonly inode: number;
  content: ClaimContent;
  readonly timer: NodeJS.Timeout;
}

export class StageClaims {
  readonly #store: Store;
  readonly #layout: StoreLayout;
  readonly #runId: string;
  readonly #heartbeatMs: number;
  readonly #policy: StalenessPolicy;
  readonly #pollInitialMs: number;
  readonly #pollMaxMs: number;
  readonly #onLost: ((key: Sha256Hex) => void) | undefined;
  readonly #waitNoticeMs: number;
  readonly #held = new Map<Sha256Hex, HeldClaim>();
  #processStart: Promise<string | undefined> | undefined;

  constructor(store: Store, options: StageClaimsOptions) {
    this.#store = store;
    this.#layout = store.layout;
    this.#runId = options.runId;
    this.#heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.#policy = { host: options.host ?? hostname(), staleAfterMs: options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS };
    this.#pollInitialMs = options.pollInitialMs ?? 25;
    this.#pollMaxMs = options.pollMaxMs ?? 1_000;
    this.#onLost = options.onLost;
    this.#waitNoticeMs = options.waitNoticeMs ?? DEFAULT_WAIT_NOTICE_MS;
  }

  /**
   * 'done' when the stage's result is (or becomes, while waiting) committed; 'acquired' when this
   * process now holds the claim and must compute, commit and release. Waits while a live process
   * holds it, telling `onWaiting` who that is when the wait begins, when the holder changes and every
   * waitNoticeMs; rejects with the signal's reason when `signal` aborts.
   */
  async acquire(key: Sha256Hex, signal?: AbortSignal, onWaiting?: WaitingObserver): Promise<AcquireOutcome> {
    await this.#store.prepareForWriting();
    let pause = this.#pollInitialMs;
    let noticed: { holder: string; at: number } | undefined;
    for (;;) {
      signal?.throwIfAborted();
      if (await this.#store.lookup(key)) return 'done';
      if (await this.#tryCreate(key)) {
        // The previous holder may have committed and released between our lookup and our create.
        if (await this.#store.lookup(key)) {
          await this.release(key);
          return 'done';
        }
        return 'acquired';
      }
      const claim = await inspectClaim(this.#layout, key, this.#policy);
      if (claim.state === 'stale') {
        await removeStaleClaim(this.#layout, key, claim.raw);
        continue;
      }
      if (claim.state === 'none') continue;
      const holder = holderIdentity(claim.content);
      if (onWaiting !== undefined && (noticed?.holder !== holder || Date.now() - noticed.at >= this.#waitNoticeMs)) {
        noticed = { holder, at: Date.now() };
        onWaiting(claim.content);
      }
      await sleep(pause, undefined, { signal });
      pause = Math.min(pause * 2, this.#pollMaxMs);
    }
  }

  /** Give up a claim this process holds (after committing, or after failing). */
  async release(key: Sha256Hex): Promise<void> {
    const held = this.#held.get(key);
    if (held === undefined) return;
    this.#held.delete(key);
    clearInterval(held.timer);
    try {
      // Unlink only our own file: after a takeover the path names someone else's claim.
      if (await this.#stillOwns(key, held)) await unlink(this.#layout.claimPath(key));
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    } finally {
      await held.handle.close();
    }
  }

  /** Record in a claim this process holds which batch job computes the stage (written with the next heartbeat's care). */
  async recordJob(key: Sha256Hex, job: string): Promise<void> {
    const held = this.#held.get(key);
    if (held === undefined || held.content.job === job) return;
    held.content = { ...held.content, job };
    await this.#heartbeat(key);
  }

  async releaseAll(): Promise<void> {
    for (const key of [...this.#held.keys()]) await this.release(key);
  }

  /** Keys this process holds claims on. */
  heldKeys(): Sha256Hex[] {
    return [...this.#held.keys()];
  }

  async #tryCreate(key: Sha256Hex): Promise<boolean> {
    await makeDirectory(this.#layout.claimsDir);
    let handle: FileHandle;
    try {
      handle = await open(this.#layout.claimPath(key), 'wx');
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return false;
      throw error;
    }
    const now = new Date().toISOString();
    this.#processStart ??= processStartOf(process.pid);
    const processStart = await this.#processStart;
    const content: ClaimContent = {
      key, pid: process.pid, host: this.#policy.host, runId: this.#runId, startedAt: now, heartbeatAt: now,
      ...(processStart === undefined ? {} : { processStart }),
    };
    try {
      await handle.write(serializeClaim(content), 0);
      await handle.sync();
      const { ino } = await handle.stat();
      const timer = setInterval(() => void this.#heartbeat(key), this.#heartbeatMs);
      // Heartbeats must not keep a finished process alive.
      timer.unref();
      this.#held.set(key, { handle, inode: ino, content, timer });
      return true;
    } catch (error) {
      await handle.close();
      await unlink(this.#layout.claimPath(key)).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Refresh heartbeatAt through the descriptor opened at creation: if the claim was renamed away in a
   * takeover, the write lands in that orphan and never clobbers the new holder's file. ISO times have a
   * fixed width, so the content keeps its length and readers never see a torn tail.
   */
  async #heartbeat(key: Sha256Hex): Promise<void> {
    const held = this.#held.get(key);
    if (held === undefined) return;
    try {
      if (!(await this.#stillOwns(key, held))) {
        this.#held.delete(key);
        clearInterval(held.timer);
        await held.handle.close();
        this.#onLost?.(key);
        return;
      }
      const bytes = serializeClaim({ ...held.content, heartbeatAt: new Date().toISOString() });
      await held.handle.write(bytes, 0, 'utf8');
      await held.handle.truncate(Buffer.byteLength(bytes));
    } catch {
      // A missed heartbeat only matters to other hosts after staleAfterMs; the next one retries.
    }
  }

  async #stillOwns(key: Sha256Hex, held: HeldClaim): Promise<boolean> {
    try {
      return (await stat(this.#layout.claimPath(key))).ino === held.inode;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return false;
      throw error;
    }
  }
}

function serializeClaim(content: ClaimContent): string {
  return `${JSON.stringify(content)}\n`;
}

function parseClaim(raw: string): ClaimContent | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    if (
      isJsonObject(value) &&
      typeof value['key'] === 'string' &&
      Number.isSafeInteger(value['pid']) &&
      typeof value['host'] === 'string' &&
      typeof value['runId'] === 'string' &&
      typeof value['startedAt'] === 'string' &&
      typeof value['heartbeatAt'] === 'string' &&
      (value['processStart'] === undefined || typeof value['processStart'] === 'string') &&
      (value['job'] === undefined || typeof value['job'] === 'string')
    ) {
      return value as unknown as ClaimContent;
    }
  } catch {
    // Unparsable: the holder is between creating and writing the file, or died there.
  }
  return undefined;
}

/** Whether process `pid` exists on this machine (EPERM means it exists but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) !== 'ESRCH';
  }
}

/**
 * Read `key`'s claim and judge it. Any claim is stale once its heartbeat (or, failing that, its file's
 * mtime) is older than staleAfterMs. One from this host is stale sooner: as soon as its pid is dead,
 * or names a process that started at another time than the one that claimed (a reused pid).
 */
export async function inspectClaim(layout: StoreLayout, key: Sha256Hex, policy: StalenessPolicy, now: Date = new Date()): Promise<ClaimState> {
  const path = layout.claimPath(key);
  let raw: string;
  let modifiedMs: number;
  try {
    const info = await stat(path);
    modifiedMs = info.mtimeMs;
    raw = await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { state: 'none' };
    throw error;
  }
  const content = parseClaim(raw);
  const silentMs = now.getTime() - Math.max(modifiedMs, content ? Date.parse(content.heartbeatAt) || 0 : 0);
  if (content === undefined) {
    return silentMs > policy.staleAfterMs
      ? { state: 'stale', content, raw, why: `unreadable claim untouched for ${Math.round(silentMs / 1000)} s` }
      : { state: 'live', content };
  }
  if (content.host === policy.host) {
    if (!isProcessAlive(content.pid)) return { state: 'stale', content, raw, why: `process ${content.pid} on ${content.host} is gone` };
    if (content.processStart !== undefined) {
      const current = await processStartOf(content.pid);
      if (current !== undefined && current !== content.processStart) {
        return { state: 'stale', content, raw, why: `pid ${content.pid} on ${content.host} now belongs to another process` };
      }
    }
  }
  return silentMs > policy.staleAfterMs
    ? { state: 'stale', content, raw, why: `no heartbeat from process ${content.pid} on ${content.host} for ${Math.round(silentMs / 1000)} s` }
    : { state: 'live', content };
}

/** Tells one holding of a claim from another (a takeover, or a new claim after a release). */
function holderIdentity(content: ClaimContent | undefined): string {
  return content === undefined ? '' : `${content.host}/${content.pid}/${content.runId}/${content.startedAt}`;
}

/**
 * Take away a claim judged stale. The rename is atomic, so of several processes doing this at once
 * exactly one moves the file. If what it moved is not what was judged (a live holder's fresh claim or
 * heartbeat got there first) it is linked back in place; otherwise it is deleted. Returns whether the
 * stale claim was removed.
 */
export async function removeStaleClaim(layout: StoreLayout, key: Sha256Hex, judgedRaw: string): Promise<boolean> {
  const path = layout.claimPath(key);
  const aside = `${path}${STALE_CLAIM_INFIX}${nonce()}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
  const moved = await readFile(aside, 'utf8');
  let removed = true;
  if (moved !== judgedRaw) {
    removed = false;
    await link(aside, path).catch(() => undefined);
  }
  await unlink(aside);
  return removed;
}
