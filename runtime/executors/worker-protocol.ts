// The messages between the local executor and its worker threads (structured-cloned plain data).
import type { Stage } from '../../core/stage.ts';
import type { BackendChoice, BackendRequest } from '../backends/select.ts';
import type { CheckpointSchedule } from '../checkpoint-schedule.ts';
import type { StageOutcome, StageProgress } from './executor.ts';

/** Given to each worker at its creation (workerData). */
export interface WorkerSetup {
  storeRoot: string;
  /** URL of the stage library module (see stage-library.ts). */
  library: string;
  programDir: string;
  /** Recorded with each result: the version of ltx that computed it (the CLI knows it; the runtime reads no package file). */
  ltxVersion: string;
  backend: BackendRequest;
  /** Threads of the worker's wasm backend (if wasm is what starts). */
  wasmThreads: number;
  deviceCacheBytes: number;
  /** When training stages commit intermediate checkpoints. */
  checkpoints?: CheckpointSchedule;
}

/** A stage for a worker to compute: the stage and its inputs' keys by role. */
export interface StageOrder {
  stage: Stage;
  inputKeys: Record<string, string>;
}

export type ToWorker =
  /** Compute the stages, together where their op batches them (a single stage is a group of one). */
  | { type: 'run'; id: number; members: StageOrder[] }
  | { type: 'abort'; id: number }
  /** The executor closes: free the backend's resident tensors, answer 'closed'; the thread is ended next. */
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready'; backend: BackendChoice }
  | { type: 'start-failed'; error: string }
  /** `member`: which stage of the run order it is about. */
  | { type: 'progress'; id: number; member: number; progress: StageProgress }
  /** One outcome per member; `resident`: the keys the worker now holds decoded, so the next stage that needs one goes there. */
  | { type: 'outcome'; id: number; outcomes: StageOutcome[]; resident: string[] }
  | { type: 'closed' };
