// Scaffolding for runtime tests: hand-built stages, throwaway caches, the fake stage library.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { stageKey } from '../../core/stage.ts';
import { type Json } from '../../core/json.ts';
import type { StageLibrary } from '../../core/library.ts';
import type { StageProgram } from '../../core/program.ts';
import type { Stage, StageKind } from '../../core/stage.ts';
import { InProcessExecutor } from '../../runtime/executors/in-process.ts';
import { runStages, type RunSummary } from '../../runtime/run.ts';
import { Store } from '../../runtime/store/index.ts';

/** A stage as the compiler would make it: its key is the hash of op, params and input keys. */
export function makeStage(name: string, op: string, params: { [key: string]: Json } = {}, inputs: Record<string, Stage> = {}, kind: StageKind = op === 'measure' ? 'probe' : 'train'): Stage {
  const inputKeys = Object.fromEntries(Object.entries(inputs).map(([role, stage]) => [role, stage.key]));
  const key = stageKey({ op, version: 1, params, inputs: inputKeys });
  return { key, kind, op, version: 1, params, inputs: inputKeys, name, names: [name], origin: { file: 'test.ltx', range: { start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } } } };
}

/** A fresh directory, removed when the test file ends. */
export async function freshDir(prefix = 'ltx-runtime-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** URL of the fake stage library, logging each computed stage to `logPath`. */
export function fakeLibraryUrl(logPath: string): string {
  const url = new URL('./fixtures/fake-library.ts', import.meta.url);
  url.searchParams.set('log', logPath);
  return url.href;
}

export interface Computation {
  key: string;
  name: string;
  /** The worker thread it ran on (0: the main thread). */
  thread: number;
}

/** What the fake library logged: one entry per computation, in order. */
export async function computedLog(logPath: string): Promise<Computation[]> {
  let text: string;
  try {
    text = await readFile(logPath, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter(Boolean).map((line) => {
    const [key, name, thread] = line.split('\t');
    return { key: key!, name: name!, thread: Number(thread) };
  });
}

/** What runStages reads of a program: its stages in order. */
export function programOf(stages: Stage[]): StageProgram {
  return { stages, stageByKey: new Map(stages.map((s) => [s.key, s])), declarations: [] };
}

/** Computes every stage of `program` with `library` on this thread (cpu backend), into a fresh cache. */
export async function runInProcess(program: StageProgram, library: StageLibrary): Promise<{ store: Store; summary: RunSummary }> {
  const dir = await freshDir();
  const store = new Store(join(dir, 'cache'));
  const summary = await runStages({
    program, store, jobs: 1, signal: new AbortController().signal,
    executor: () => new InProcessExecutor({ ltxVersion: 'test', store, library, programDir: dir, backend: 'cpu' }),
  });
  return { store, summary };
}
