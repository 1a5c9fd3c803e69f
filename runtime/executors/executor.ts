// Where stages compute. The scheduler decides what runs when; an executor runs one stage somewhere
// (a worker thread here, a Slurm job later), commits its result to the store and says how it ended.
import type { StageProgress } from '../../core/op.ts';
import type { Stage } from '../../core/stage.ts';
import type { BackendChoice } from '../backends/select.ts';
import type { JsonObject } from '../store/index.ts';

export type { StageProgress } from '../../core/op.ts';

export interface StageHooks {
  /** Aborting stops the stage at its next step boundary; nothing of it reaches the store. */
  signal: AbortSignal;
  progress(p: StageProgress): void;
  /** The stage went to a batch system as job `jobId` (recorded in its claim, so a restarted run can find it). */
  submitted?(jobId: string): void;
  /** Whether nothing else computes until it settles (the scheduler's ComputeContext.alone): then it may have every core. */
  alone?(): boolean;
}

export type StageOutcome =
  /** Computed and committed: the store has the result. */
  | { status: 'done'; seconds: number; metrics: JsonObject }
  /** No result: `error` says why in words meant for the user. */
  | { status: 'failed'; error: string }
  /** Stopped by the signal before it finished; nothing was committed. */
  | { status: 'aborted' }
  /** Handed back unstarted from a group: its op computes it alone (StageBatching.alone); schedule it on its own. */
  | { status: 'declined' };

/** A stage to compute with the others of its group, and where its progress goes. */
export interface GroupMember {
  stage: Stage;
  /** Role → the key of the stage whose committed result is that input. */
  inputKeys: Readonly<Record<string, string>>;
  progress(p: StageProgress): void;
}

export interface Executor {
  /** The backend stages compute on, known once start() resolved. */
  readonly backend: BackendChoice | undefined;
  /** Brings up what stages need (workers, backends); rejects when no backend can start. */
  start(): Promise<void>;
  /** Compute `stage` from the committed results of `inputKeys` (role → stage key) and commit its result. */
  run(stage: Stage, inputKeys: Readonly<Record<string, string>>, hooks: StageHooks): Promise<StageOutcome>;
  /**
   * Computes stages together (one batched computation where their op has one, core/op.ts), each
   * committed on its own; one outcome per member, in order. Absent: every stage runs alone.
   */
  runGroup?(members: readonly GroupMember[], signal: AbortSignal): Promise<StageOutcome[]>;
  close(): Promise<void>;
}

/** An executor could not bring up what stages need (no usable backend, a worker that cannot load). */
export class ExecutorStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecutorStartError';
  }
}
