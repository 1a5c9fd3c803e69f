// What an executor needs to compute stages: the implementation of each op and the artifact codec.
// Workers cannot receive functions, so a library travels as the URL of a module that builds one; the
// standard library is runtime/executors/standard-library.ts, tests bring their own fake tables.
import type { Stage } from '../../core/stage.ts';
import type { Artifact } from '../../core/artifacts.ts';
import type { TensorSource } from '../resident-tensors.ts';
import type { StageProgress } from './executor.ts';

/** What a stage implementation receives besides its stage and inputs (runtime/ops' ExecContext). */
export interface StageContext {
  programDir: string;
  signal: AbortSignal;
  progress(p: StageProgress): void;
  /** The process's dataset cache; opaque to the executor. */
  data: unknown;
  /** The inputs' resident tensors on the thread's backend (runtime/resident-tensors.ts), when it keeps any. */
  tensors?: TensorSource;
}

export type StageFunction = (stage: Stage, inputs: Record<string, Artifact>, ctx: StageContext) => Promise<Artifact>;

export interface StageLibrary {
  /** Throws for an op it does not know. */
  implementationFor(stage: Stage): StageFunction;
  encodeArtifact(artifact: Artifact): Uint8Array;
  decodeArtifact(bytes: Uint8Array): Artifact;
  /** One per process (per worker): datasets are loaded once and shared by its stages. */
  createDataCache(): unknown;
}

/** A module that can be a stage library exports this. */
export type CreateStageLibrary = () => StageLibrary | Promise<StageLibrary>;

export const STANDARD_LIBRARY = new URL('./standard-library.ts', import.meta.url).href;

export async function loadStageLibrary(moduleUrl: string): Promise<StageLibrary> {
  const module = (await import(moduleUrl)) as { createStageLibrary?: unknown };
  if (typeof module.createStageLibrary !== 'function') {
    throw new Error(`${moduleUrl} is not a stage library: it does not export createStageLibrary()`);
  }
  return await (module.createStageLibrary as CreateStageLibrary)();
}
