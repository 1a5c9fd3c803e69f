// What each program did with the cache, per program file: which stage key each of its declarations
// (stage names) had at its last run, and when that run used it (computed it or found it cached). `plan`
// compares a declaration with its own previous state — never with a stage of the same name that
// another program sharing the cache committed — and `cache gc --keep-days` keeps what runs used lately.
//
//   programs/<sha256 of the program's absolute path>.json
//   {"program": "/abs/exp.ltx", "stages": {"<stage name>": {"key": "<stage key>", "op": "train", "usedAt": "<ISO 8601>"}}}
//
// A run rewrites its program's file atomically at its end, keeping the entries of names it did not run
// (`--only`). Two runs of one program ending at the same moment may lose each other's newer entries:
// the cost is a less precise "why", never a wrong result.
import { readFile, realpath, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isSha256Hex } from './digest.ts';
import type { Sha256Hex } from './digest.ts';
import { errorCode, writeFileAtomically } from './durable-fs.ts';
import { isJsonObject } from './json.ts';
import { readdirOrEmpty } from './store.ts';
import type { Store } from './store.ts';

export interface ProgramStageEntry {
  readonly key: Sha256Hex;
  readonly op: string;
  /** When a run of the program last computed this stage or found it cached (ISO 8601). */
  readonly usedAt: string;
}

export interface ProgramRuns {
  /** The program file's absolute path (symbolic links resolved). */
  readonly program: string;
  readonly stages: Readonly<Record<string, ProgramStageEntry>>;
}

/** A stage a run brought about (computed, or found cached), under every name it has in the program. */
export interface UsedStage {
  readonly key: Sha256Hex;
  readonly op: string;
  readonly names: readonly string[];
}

/** The identity of a program file: its absolute path, through symbolic links where the file exists. */
export async function programIdentity(file: string): Promise<string> {
  const absolute = resolve(file);
  return realpath(absolute).catch(() => absolute);
}

/** Remember that a run of `program` (an identity from programIdentity) used `stages` at `at`. */
export async function recordProgramRun(store: Store, program: string, stages: readonly UsedStage[], at: Date): Promise<void> {
  if (stages.length === 0) return;
  const entries: Record<string, ProgramStageEntry> = { ...(await readProgramRuns(store, program))?.stages };
  const usedAt = at.toISOString();
  for (const stage of stages) for (const name of stage.names) entries[name] = { key: stage.key, op: stage.op, usedAt };
  await store.prepareForWriting();
  await writeProgramRuns(store, { program, stages: entries });
}

/** What the last runs of `program` used, or undefined when it never ran on this cache. */
export async function readProgramRuns(store: Store, program: string): Promise<ProgramRuns | undefined> {
  const runs = await readRunsFile(store.layout.programRunsPath(program));
  return runs?.program === program ? runs : undefined;
}

/** Every program's runs the cache remembers. */
export async function allProgramRuns(store: Store): Promise<ProgramRuns[]> {
  const all: ProgramRuns[] = [];
  for (const file of await programFiles(store)) {
    const runs = await readRunsFile(file);
    if (runs !== undefined && store.layout.programRunsPath(runs.program) === file) all.push(runs);
  }
  return all;
}

/**
 * Forget entries whose stage `exists` denies (gc removed its result); a program left with none loses
 * its file. Only files ltx wrote are touched: one that does not parse as a run index stays.
 */
export async function forgetRemovedStages(store: Store, exists: (key: Sha256Hex) => boolean): Promise<void> {
  for (const runs of await allProgramRuns(store)) {
    const kept = Object.entries(runs.stages).filter(([, entry]) => exists(entry.key));
    if (kept.length === Object.keys(runs.stages).length) continue;
    if (kept.length === 0) await rm(store.layout.programRunsPath(runs.program), { force: true });
    else await writeProgramRuns(store, { program: runs.program, stages: Object.fromEntries(kept) });
  }
}

async function writeProgramRuns(store: Store, runs: ProgramRuns): Promise<void> {
  await writeFileAtomically(store.layout.programRunsPath(runs.program), `${JSON.stringify(runs, null, 2)}\n`, store.layout.tmpDir);
}

async function programFiles(store: Store): Promise<string[]> {
  const { programsDir } = store.layout;
  return (await readdirOrEmpty(programsDir)).filter((name) => /^[0-9a-f]{64}\.json$/.test(name)).map((name) => join(programsDir, name));
}

/** A run index file as ltx writes it; anything else (missing, damaged, foreign) reads as none. */
async function readRunsFile(path: string): Promise<ProgramRuns | undefined> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    if (error instanceof SyntaxError || errorCode(error) === 'ENOENT' || errorCode(error) === 'EISDIR') return undefined;
    throw error;
  }
  if (!isJsonObject(value) || typeof value['program'] !== 'string' || !isJsonObject(value['stages'])) return undefined;
  const stages: Record<string, ProgramStageEntry> = {};
  for (const [name, entry] of Object.entries(value['stages'])) {
    if (!isJsonObject(entry) || !isSha256Hex(entry['key']) || typeof entry['op'] !== 'string' || typeof entry['usedAt'] !== 'string') continue;
    stages[name] = { key: entry['key'], op: entry['op'], usedAt: entry['usedAt'] };
  }
  return { program: value['program'], stages };
}
