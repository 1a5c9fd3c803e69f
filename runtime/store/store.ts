// The content-addressed store: output bytes as write-once blobs named by their SHA-256, one action
// record per stage key pointing at them. A stage's result exists exactly when its record exists and
// is valid, and the record is written last — so a crash leaves at worst unreferenced garbage.
import { mkdir, readdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { ACTION_RECORD_VERSION, parseActionRecord } from './action-record.ts';
import type { ActionRecord, OutputKind, OutputRef, RecordParse, RunStep, StagePreimage } from './action-record.ts';
import { cacheCondition, writeCacheMarker } from './cache-marker.ts';
import type { CacheCondition } from './cache-marker.ts';
import { isSha256Hex, sha256Hex, sha256OfFile } from './digest.ts';
import type { Sha256Hex } from './digest.ts';
import { errorCode, makeDirectory, placeIfAbsent, syncDirectory, writeFileAtomically, writeNewFileDurably } from './durable-fs.ts';
import { CacheUnusableError, NotACacheError, StoreCorruptError, StoreError, asAccessError } from './errors.ts';
import { isJsonObject } from './json.ts';
import type { JsonObject } from './json.ts';
import { DEFAULT_STORE_DIR, StoreLayout, nonce, runStepOf } from './layout.ts';

export interface OutputToCommit {
  readonly kind: OutputKind;
  readonly bytes: Uint8Array;
}

export interface CommitInfo {
  /** Declaration name, recorded for listings (`cache ls`). */
  readonly name?: string;
  readonly metrics?: JsonObject;
  readonly startedAt: Date | string;
  /** Defaults to the time of the commit. */
  readonly finishedAt?: Date | string;
  /** Defaults to this machine's host name. */
  readonly host?: string;
  readonly backend: string;
  readonly ltxVersion: string;
  /** For a checkpoint of a training run: recorded, and indexed so the run's later stages can resume from it. */
  readonly run?: RunStep;
}

/**
 * The points of the commit protocol, in order. An observer sees each one; one that throws aborts the
 * commit right there, which is how tests simulate a crash between two steps.
 */
export type CommitStep = 'staged' | 'verified' | 'blobs-placed' | 'record-written';
export type CommitObserver = (step: CommitStep, key: Sha256Hex) => void | Promise<void>;

export interface StoreOptions {
  readonly onCommitStep?: CommitObserver;
}

export interface InspectOptions {
  /**
   * Also re-hash every output blob (reads all of it), not only check that it is a file of the
   * recorded size: for results about to be read, where a flipped byte must mean "compute it again".
   */
  readonly verifyContent?: boolean;
}

/** What is wrong with one output's blob: gone, or not the bytes the record names. */
export interface BlobProblem {
  readonly kind: 'missing' | 'corrupt';
  readonly detail: string;
}

export type LookupOutcome =
  | { readonly status: 'found'; readonly record: ActionRecord }
  | { readonly status: 'absent' }
  | { readonly status: 'broken'; readonly reason: string };

export class Store {
  readonly root: string;
  readonly layout: StoreLayout;
  readonly #onCommitStep: CommitObserver | undefined;
  #writable: Promise<void> | undefined;

  constructor(root: string = DEFAULT_STORE_DIR, options: StoreOptions = {}) {
    this.root = resolve(root);
    this.layout = new StoreLayout(this.root);
    this.#onCommitStep = options.onCommitStep;
  }

  // -------------------------------------------------------------------------------------------------
  // Whether the root is a cache

  /** What is at the root: a cache, nothing yet, or something that is not one. Changes nothing. */
  async condition(): Promise<CacheCondition> {
    try {
      return await cacheCondition(this.layout);
    } catch (error) {
      throw asAccessError(error, this.root, 'read');
    }
  }

  /**
   * For commands that only read: 'missing' when there is no cache yet (it reads as empty), 'present'
   * for a cache (also one from before the marker). Anything else throws NotACacheError or
   * CacheUnusableError, so a file or a foreign directory never reads as an empty cache.
   */
  async assertReadable(): Promise<'missing' | 'present'> {
    const condition = usable(this.root, await this.condition());
    return condition.state === 'missing' ? 'missing' : 'present';
  }

  /**
   * Before anything is written: create the cache (or adopt one from before the marker) and check that
   * it can be written, once per Store. Refuses a directory that is not a cache (NotACacheError) and a
   * read-only, full or damaged one (CacheUnusableError), so a run says so once instead of per stage.
   */
  prepareForWriting(): Promise<void> {
    this.#writable ??= this.#makeWritable().catch((error: unknown) => {
      this.#writable = undefined;
      throw error;
    });
    return this.#writable;
  }

  async #makeWritable(): Promise<void> {
    const condition = usable(this.root, await this.condition());
    try {
      if (condition.state !== 'cache') await writeCacheMarker(this.layout);
      await makeDirectory(this.layout.tmpDir);
      const check = join(this.layout.tmpDir, this.layout.newWriteCheckName());
      await writeNewFileDurably(check, '');
      await rm(check, { force: true });
    } catch (error) {
      throw asAccessError(error, this.root, 'write to');
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Writing

  /**
   * Record the result of stage `key`. Protocol: stage every output in a fresh directory under tmp/
   * (written, fsynced), re-read and verify the digests, place the blobs (create-if-absent), then
   * write the action record atomically. Until that last rename the stage has no result.
   */
  async commit(
    key: Sha256Hex,
    preimage: StagePreimage,
    outputs: Readonly<Record<string, OutputToCommit>>,
    info: CommitInfo,
  ): Promise<ActionRecord> {
    assertKey(key);
    if (!isJsonObject(preimage) || typeof preimage.op !== 'string') {
      throw new TypeError('a stage preimage must be a JSON object with a string "op"');
    }
    for (const [name, output] of Object.entries(outputs)) {
      if (!(output.bytes instanceof Uint8Array)) throw new TypeError(`output "${name}" must be a Uint8Array`);
    }
    await this.prepareForWriting();

    await makeDirectory(this.layout.tmpDir);
    const stagingDir = join(this.layout.tmpDir, this.layout.newStagingName(key));
    await mkdir(stagingDir);
    try {
      const staged = await this.#stageOutputs(stagingDir, outputs);
      await this.#step('staged', key);
      await verifyStaged(key, staged);
      await this.#step('verified', key);
      await this.#placeBlobs(staged);
      await this.#step('blobs-placed', key);

      const record = buildRecord(key, preimage, staged, info);
      await writeFileAtomically(this.layout.actionPath(key), `${JSON.stringify(record, null, 2)}\n`, stagingDir);
      await this.#step('record-written', key);

      // A concurrent `cache gc` may have judged a reused blob unreferenced just before our record
      // appeared; the staged copies are still here, so put back anything that went missing.
      await this.#placeBlobs(staged);
      if (info.run !== undefined) await this.#indexRunStep(info.run, key, stagingDir);
      return record;
    } finally {
      await rm(stagingDir, { recursive: true, force: true });
    }
  }

  async #step(step: CommitStep, key: Sha256Hex): Promise<void> {
    if (this.#onCommitStep) await this.#onCommitStep(step, key);
  }

  async #stageOutputs(stagingDir: string, outputs: Readonly<Record<string, OutputToCommit>>): Promise<StagedOutput[]> {
    const staged: StagedOutput[] = [];
    let index = 0;
    for (const [name, output] of Object.entries(outputs)) {
      const path = join(stagingDir, `output-${index++}`);
      await writeNewFileDurably(path, output.bytes);
      staged.push({ name, kind: output.kind, path, digest: sha256Hex(output.bytes), bytes: output.bytes.byteLength });
    }
    return staged;
  }

  async #placeBlobs(staged: readonly StagedOutput[]): Promise<void> {
    const dirsTouched = new Set<string>();
    const done = new Set<Sha256Hex>();
    for (const output of staged) {
      if (done.has(output.digest)) continue;
      done.add(output.digest);
      const dir = this.layout.blobDir(output.digest);
      const target = this.layout.blobPath(output.digest);
      await makeDirectory(dir);
      if (await placeIfAbsent(output.path, target)) {
        dirsTouched.add(dir);
        continue;
      }
      const existing = await stat(target);
      if (await holdsBytes(target, existing, output)) {
        // Reusing a blob refreshes its age so gc's grace period protects it until our record lands.
        const now = new Date();
        await utimes(target, now, now);
        continue;
      }
      // A damaged copy of this blob is in place; replace it whole (rename never tears). Something
      // that is not a file cannot be renamed over, so it goes first.
      if (!existing.isFile()) await rm(target, { recursive: true, force: true });
      const replacement = `${output.path}.replacement-${nonce()}`;
      await writeNewFileDurably(replacement, await readFile(output.path));
      await rename(replacement, target);
      dirsTouched.add(dir);
    }
    for (const dir of dirsTouched) await syncDirectory(dir);
  }

  async #indexRunStep(run: RunStep, key: Sha256Hex, stagingDir: string): Promise<void> {
    const entry: RunStepEntry = { run: run.id, step: run.step, key };
    // `cache gc` removes a run's directory once it is empty; should it do so in between, make it again.
    for (let attempt = 1; ; attempt++) {
      await makeDirectory(this.layout.runDir(run.id));
      try {
        return await writeFileAtomically(this.layout.runStepPath(run.id, run.step), `${JSON.stringify(entry)}\n`, stagingDir);
      } catch (error) {
        if (errorCode(error) !== 'ENOENT' || attempt === 3) throw error;
      }
    }
  }

  /**
   * Remove `key`'s record if it is unusable — checked again right before, as deeply as `options` say —
   * so the stage reads as absent and is computed again. Returns whether it removed it.
   */
  async discardIfBroken(key: Sha256Hex, options: InspectOptions = {}): Promise<boolean> {
    if ((await this.inspect(key, options)).status !== 'broken') return false;
    await this.prepareForWriting();
    try {
      await rm(this.layout.actionPath(key), { recursive: true, force: true });
    } catch (error) {
      throw asAccessError(error, this.root, 'write to');
    }
    return true;
  }

  // -------------------------------------------------------------------------------------------------
  // Reading (no locks, no writes: safe for read-only commands and concurrent with runs)

  /** The committed result of `key`, or undefined when there is none or it is damaged. */
  async lookup(key: Sha256Hex): Promise<ActionRecord | undefined> {
    const outcome = await this.inspect(key);
    return outcome.status === 'found' ? outcome.record : undefined;
  }

  /** Like lookup, but says why a record that exists is not usable. */
  async inspect(key: Sha256Hex, options: InspectOptions = {}): Promise<LookupOutcome> {
    const parsed = await this.readRecord(key);
    if (parsed === undefined) return { status: 'absent' };
    if (!parsed.ok) return { status: 'broken', reason: parsed.reason };
    for (const [name, output] of Object.entries(parsed.record.outputs)) {
      const problem = await this.blobProblem(output, options);
      if (problem !== undefined) return { status: 'broken', reason: `output "${name}": ${problem.detail}` };
    }
    return { status: 'found', record: parsed.record };
  }

  /** Whether an output's blob is a file of the recorded size (and, if asked, with the recorded digest). */
  async blobProblem(output: OutputRef, options: InspectOptions = {}): Promise<BlobProblem | undefined> {
    const path = this.layout.blobPath(output.digest);
    const blob = `blob ${abbreviated(output.digest)}`;
    try {
      const info = await stat(path);
      if (!info.isFile()) return { kind: 'corrupt', detail: `${blob} is not a file` };
      if (info.size !== output.bytes) return { kind: 'corrupt', detail: `${blob} has ${info.size} bytes, the record says ${output.bytes}` };
      if (options.verifyContent) {
        const actual = await sha256OfFile(path);
        if (actual !== output.digest) return { kind: 'corrupt', detail: `${blob} is damaged (its bytes hash to ${abbreviated(actual)})` };
      }
      return undefined;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return { kind: 'missing', detail: `${blob} is missing` };
      return { kind: 'corrupt', detail: `${blob} cannot be read (${errorCode(error) ?? String(error)})` };
    }
  }

  /**
   * The record file of `key` parsed and schema-checked, without checking its blobs; undefined when no
   * record file exists. Never throws for damage: that is reported in the result.
   */
  async readRecord(key: Sha256Hex): Promise<RecordParse | undefined> {
    assertKey(key);
    let text: string;
    try {
      text = await readFile(this.layout.actionPath(key), 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      return { ok: false, reason: `the record cannot be read (${errorCode(error) ?? String(error)})` };
    }
    return parseActionRecord(text, key);
  }

  /** An output's bytes, verified against the digest in the record. */
  async readOutput(record: ActionRecord, name: string): Promise<Uint8Array> {
    const output = record.outputs[name];
    if (output === undefined) {
      const known = Object.keys(record.outputs).map((n) => `"${n}"`).join(', ') || 'none';
      throw new StoreError(`stage ${record.key} has no output "${name}" (its outputs: ${known})`);
    }
    const site = { key: record.key, output: name, digest: output.digest };
    let bytes: Uint8Array;
    try {
      bytes = await readFile(this.layout.blobPath(output.digest));
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT') throw new StoreCorruptError(`output "${name}" of stage ${record.key}: blob ${output.digest} is missing`, site);
      if (code === 'EISDIR') throw new StoreCorruptError(`output "${name}" of stage ${record.key}: blob ${output.digest} is not a file`, site);
      throw asAccessError(error, this.root, 'read');
    }
    const actual = sha256Hex(bytes);
    if (actual !== output.digest) {
      throw new StoreCorruptError(`output "${name}" of stage ${record.key} is corrupt: blob ${output.digest} hashes to ${actual}`, site);
    }
    return ownedBytes(bytes);
  }

  /** The preimage stored with `key`'s record (even if its blobs are gone): what it was computed from. */
  async preimageOf(key: Sha256Hex): Promise<StagePreimage | undefined> {
    const parsed = await this.readRecord(key);
    return parsed?.ok ? parsed.record.preimage : undefined;
  }

  /**
   * The usable records of run `run`'s checkpoints at steps up to `atOrBefore`, latest first (lazily: a
   * caller that resumes from the first one reads no other record).
   */
  async *runCheckpoints(run: Sha256Hex, atOrBefore: number): AsyncGenerator<ActionRecord> {
    assertKey(run);
    const steps = (await readdirOrEmpty(this.layout.runDir(run)))
      .map(runStepOf)
      .filter((step): step is number => step !== undefined && step <= atOrBefore)
      .sort((a, b) => b - a);
    for (const step of steps) {
      const entry = parseRunStepEntry(await readFile(this.layout.runStepPath(run, step), 'utf8').catch(() => ''));
      if (entry === undefined || entry.run !== run || entry.step !== step) continue;
      const record = await this.lookup(entry.key);
      if (record?.run?.id === run && record.run.step === step) yield record;
    }
  }

  /** Keys of every record file present (valid or not). */
  async listRecordKeys(): Promise<Sha256Hex[]> {
    const names = await readdirOrEmpty(this.layout.actionsDir);
    return names
      .filter((n) => n.endsWith('.json') && isSha256Hex(n.slice(0, -'.json'.length)))
      .map((n) => n.slice(0, -'.json'.length))
      .sort();
  }
}

interface StagedOutput {
  readonly name: string;
  readonly kind: OutputKind;
  readonly path: string;
  readonly digest: Sha256Hex;
  readonly bytes: number;
}

/** runs/<run>/<step>.json: the stage key of a run's checkpoint at a step. */
export interface RunStepEntry {
  readonly run: Sha256Hex;
  readonly step: number;
  readonly key: Sha256Hex;
}

/** A runs/ file's content if it is one ltx wrote, else undefined. */
export function parseRunStepEntry(text: string): RunStepEntry | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (isJsonObject(value) && isSha256Hex(value['run']) && Number.isInteger(value['step']) && isSha256Hex(value['key'])) {
      return value as unknown as RunStepEntry;
    }
  } catch {
    // Not JSON: not an entry.
  }
  return undefined;
}

/** A digest shortened for messages (the file path, printed beside them, has it in full). */
function abbreviated(digest: Sha256Hex): string {
  return `${digest.slice(0, 12)}…`;
}

/** The condition, if the cache can be used at all; otherwise the error that says why not. */
function usable(root: string, condition: CacheCondition): Exclude<CacheCondition, { state: 'foreign' | 'unusable' }> {
  if (condition.state === 'foreign') throw new NotACacheError(root, condition.why);
  if (condition.state === 'unusable') throw new CacheUnusableError(root, `cannot use the cache ${root}: ${condition.why}`);
  return condition;
}

/** Whether the blob already at `path` is exactly the bytes being committed (a reused blob is re-hashed). */
async function holdsBytes(path: string, info: Stats, output: StagedOutput): Promise<boolean> {
  return info.isFile() && info.size === output.bytes && (await sha256OfFile(path)) === output.digest;
}

/** Re-read what was staged: a short write or a full disk must fail the commit, not poison the cache. */
async function verifyStaged(key: Sha256Hex, staged: readonly StagedOutput[]): Promise<void> {
  for (const output of staged) {
    const actual = await sha256OfFile(output.path);
    if (actual !== output.digest) {
      throw new StoreCorruptError(`staging output "${output.name}" of stage ${key} read back as ${actual}, wrote ${output.digest}`, {
        key,
        output: output.name,
        digest: output.digest,
      });
    }
  }
}

function buildRecord(key: Sha256Hex, preimage: StagePreimage, staged: readonly StagedOutput[], info: CommitInfo): ActionRecord {
  const startedAt = toDate(info.startedAt, 'startedAt');
  const finishedAt = info.finishedAt === undefined ? new Date() : toDate(info.finishedAt, 'finishedAt');
  const outputs: Record<string, OutputRef> = {};
  for (const output of staged) outputs[output.name] = { digest: output.digest, bytes: output.bytes, kind: output.kind };
  return {
    recordVersion: ACTION_RECORD_VERSION,
    key,
    ...(info.name === undefined ? {} : { name: info.name }),
    preimage,
    outputs,
    metrics: info.metrics ?? {},
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    seconds: Math.max(0, (finishedAt.getTime() - startedAt.getTime()) / 1000),
    host: info.host ?? hostname(),
    backend: info.backend,
    ltxVersion: info.ltxVersion,
    ...(info.run === undefined ? {} : { run: { id: info.run.id, step: info.run.step, from: info.run.from } }),
  };
}

function toDate(value: Date | string, field: string): Date {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new TypeError(`commit info ${field} is not a valid time: ${String(value)}`);
  return date;
}

function assertKey(key: string): asserts key is Sha256Hex {
  if (!isSha256Hex(key)) throw new TypeError(`a stage key must be 64 lowercase hex characters, got ${JSON.stringify(key)}`);
}

/** A plain Uint8Array that owns its whole buffer (a Buffer from readFile may be a view into a pool). */
function ownedBytes(buffer: Uint8Array): Uint8Array {
  if (buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength) {
    return new Uint8Array(buffer.buffer, 0, buffer.byteLength);
  }
  return new Uint8Array(buffer);
}

export async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw error;
  }
}
