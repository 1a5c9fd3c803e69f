// Where everything lives under a store root. One module so the store, the claims and the maintenance
// commands agree on paths without repeating string concatenation.
//
//   <root>/blobs/sha256/<2 hex>/<62 hex>   write-once output bytes, named by their SHA-256
//   <root>/actions/<key>.json               one action record per stage key (written last, atomically)
//   <root>/programs/<sha256 of path>.json   per program file: each declaration's stage key at its last run
//   <root>/runs/<run id>/<step>.json        the stage key of a training run's checkpoint at a step
//   <root>/claims/<key>.claim               who is computing a stage right now
//   <root>/tmp/<key>.<nonce>/               staging area of one commit (garbage after a crash)
//   <root>/ltx-cache.json                   the marker saying this directory is an ltx cache
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { sha256Hex } from './digest.ts';
import type { Sha256Hex } from './digest.ts';

export const DEFAULT_STORE_DIR = '.ltx-cache';

export class StoreLayout {
  readonly root: string;
  readonly blobsDir: string;
  readonly actionsDir: string;
  readonly programsDir: string;
  readonly runsDir: string;
  readonly claimsDir: string;
  readonly tmpDir: string;
  readonly markerPath: string;

  constructor(root: string) {
    this.root = root;
    this.blobsDir = join(root, 'blobs', 'sha256');
    this.actionsDir = join(root, 'actions');
    this.programsDir = join(root, 'programs');
    this.runsDir = join(root, 'runs');
    this.claimsDir = join(root, 'claims');
    this.tmpDir = join(root, 'tmp');
    this.markerPath = join(root, CACHE_MARKER);
  }

  /** Fan out by the first two hex digits so no directory holds millions of entries. */
  blobDir(digest: Sha256Hex): string {
    return join(this.blobsDir, digest.slice(0, 2));
  }

  blobPath(digest: Sha256Hex): string {
    return join(this.blobDir(digest), digest.slice(2));
  }

  actionPath(key: Sha256Hex): string {
    return join(this.actionsDir, `${key}.json`);
  }

  /** The run index of the program file at `programPath` (absolute): named by the path's digest. */
  programRunsPath(programPath: string): string {
    return join(this.programsDir, `${sha256Hex(programPath)}.json`);
  }

  runDir(run: Sha256Hex): string {
    return join(this.runsDir, run);
  }

  runStepPath(run: Sha256Hex, step: number): string {
    return join(this.runDir(run), `${step}${RUN_STEP_SUFFIX}`);
  }

  claimPath(key: Sha256Hex): string {
    return join(this.claimsDir, `${key}${CLAIM_SUFFIX}`);
  }

  /** A fresh staging name for one commit of `key`; the key prefix lets gc spare claimed stages. */
  newStagingName(key: Sha256Hex): string {
    return `${key}.${nonce()}`;
  }

  /** A fresh name under tmp/ for checking that the cache can be written. */
  newWriteCheckName(): string {
    return `${WRITE_CHECK_PREFIX}${nonce()}`;
  }
}

/** The file that makes a directory an ltx cache. */
export const CACHE_MARKER = 'ltx-cache.json';

/**
 * The top-level directories of the layout: a cache made before the marker existed holds only these.
 * `names/` held a global name index that older versions wrote; it is no longer read or written.
 */
export const LAYOUT_DIRECTORIES = ['blobs', 'actions', 'programs', 'names', 'runs', 'claims', 'tmp'] as const;

const RUN_STEP_SUFFIX = '.json';
const RUN_STEP_ENTRY = /^(0|[1-9][0-9]{0,15})\.json$/;

/** The step a file name under runs/<run id>/ stands for, if it is one the store makes. */
export function runStepOf(entryName: string): number | undefined {
  return RUN_STEP_ENTRY.test(entryName) ? Number(entryName.slice(0, -RUN_STEP_SUFFIX.length)) : undefined;
}

const WRITE_CHECK_PREFIX = 'write-check.';
// Names the store makes in tmp/: <key>.<nonce> (a commit), write-check.<nonce>, atomic.<nonce> (the
// temporary file of writeFileAtomically); in claims/: <key>.claim.stale-<nonce>.
const STAGING_ENTRY = /^(?:[0-9a-f]{64}|write-check|atomic)\.[0-9a-f]{16}$/;
const STALE_CLAIM_ENTRY = /^[0-9a-f]{64}\.claim\.stale-[0-9a-f]{16}$/;

/** Whether a name directly under tmp/ is one the store made. */
export function isStagingEntry(entryName: string): boolean {
  return STAGING_ENTRY.test(entryName);
}

/** Whether a name under claims/ is a claim set aside by a takeover that did not finish. */
export function isStaleClaimEntry(entryName: string): boolean {
  return STALE_CLAIM_ENTRY.test(entryName);
}

export const CLAIM_SUFFIX = '.claim';
/** Claims renamed away during a takeover carry this infix until they are deleted. */
export const STALE_CLAIM_INFIX = '.stale-';

/** The stage key a staging entry or claim file belongs to, if its name starts with one. */
export function keyPrefixOf(entryName: string): Sha256Hex | undefined {
  const prefix = entryName.slice(0, 64);
  return /^[0-9a-f]{64}$/.test(prefix) ? prefix : undefined;
}

export function nonce(): string {
  return randomBytes(8).toString('hex');
}
