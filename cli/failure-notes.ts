// Why a stage has no result: the cause of its failure in the last run that tried it. The store keeps
// results only, and a failure is none: it is not content-addressed (the same stage may fail for want of
// memory on one machine and succeed on another), and the next run tries the stage again. So `ltx run`
// leaves one small note per failed stage in the cache it ran on, CACHE/failures/KEY.json, and removes
// it once the stage has a result. Kept with the cache because results and report read the cache a run
// wrote, and keyed by stage key so that a note never outlives the stage it is about: after an edit,
// a changed stage has a new key and no note. `ltx results` and `ltx report` show a row as failed when
// its stage, or a stage it needs, has a note and no result.
import type { StageProgram } from '../core/program.ts';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompiledProgram } from '../compiler/compile.ts';
import type { StageReport } from '../runtime/scheduler.ts';
import { errorCode, writeFileAtomically } from '../runtime/store/durable-fs.ts';
import type { Store } from '../runtime/store/index.ts';
import { oncePerKey } from './once-per-key.ts';

export interface FailureNote {
  /** The stage that failed, by name (`dense 0→24`, `ticket.mask[2]`). */
  stage: string;
  error: string;
  failedAt: string;
}

const DIRECTORY = 'failures';

function notePath(store: Store, key: string): string {
  return join(store.root, DIRECTORY, `${key}.json`);
}

/** After a run: a note for each stage that failed, none for each that has its result now. */
export async function recordFailures(store: Store, reports: readonly StageReport[], now = new Date()): Promise<void> {
  for (const report of reports) {
    if (report.status === 'failed') {
      // Made and marked by the run already; a note never lands in a directory that is no cache.
      await store.prepareForWriting();
      const note: FailureNote = { stage: report.name, error: report.error ?? 'unknown cause', failedAt: now.toISOString() };
      await writeFileAtomically(notePath(store, report.key), JSON.stringify(note) + '\n', store.layout.tmpDir);
    } else if (report.status === 'done' || report.status === 'cached') {
      await rm(notePath(store, report.key), { force: true });
    }
  }
}

/** The failures behind stages without results: a stage's own, else the first among what it needs. Read-only. */
export class FailedInputs {
  readonly #program: StageProgram;
  readonly #store: Store;
  /** One read per stage, however many rows need it. */
  readonly #noteOf = oncePerKey((key) => this.#read(key));

  constructor(program: StageProgram, store: Store) {
    this.#program = program;
    this.#store = store;
  }

  /** The failure that keeps `key` from having a result: its own, or that of the nearest stage it needs. */
  async of(key: string): Promise<FailureNote | undefined> {
    const seen = new Set<string>();
    let layer = [key];
    while (layer.length > 0) {
      const notes = await Promise.all(layer.map((k) => this.#noteOf(k)));
      const found = notes.find((note) => note !== undefined);
      if (found !== undefined) return found;
      for (const k of layer) seen.add(k);
      // What a stage needs: its inputs, and for a run's checkpoint the run's earlier one it resumes from.
      const needs = (k: string): string[] => {
        const stage = this.#program.stageByKey.get(k);
        return [...Object.values(stage?.inputs ?? {}), ...(stage?.after ?? [])];
      };
      layer = [...new Set(layer.flatMap(needs))].filter((k) => !seen.has(k));
    }
    return undefined;
  }

  async #read(key: string): Promise<FailureNote | undefined> {
    let text: string;
    try {
      text = await readFile(notePath(this.#store, key), 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return undefined;
      throw error;
    }
    // A note written before another run computed the stage says nothing any more.
    if ((await this.#store.inspect(key)).status === 'found') return undefined;
    try {
      const note = JSON.parse(text) as Partial<FailureNote>;
      return typeof note.stage === 'string' && typeof note.error === 'string' ? { stage: note.stage, error: note.error, failedAt: String(note.failedAt ?? '') } : undefined;
    } catch {
      return undefined;
    }
  }
}
