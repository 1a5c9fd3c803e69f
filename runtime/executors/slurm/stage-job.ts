// The job's side: `ltx exec-stage` on a node computes one stage (of an array: the one its task index
// names) exactly as the local executor would — the same stage runner, the same atomic commit — and
// leaves the exit-code file that tells the controller how it ended. SIGTERM (scancel, the time limit,
// preemption) stops the stage at its next step boundary; nothing half-written is committed.
import { hostname } from 'node:os';
import type { StageLibrary } from '../../../core/library.ts';
import { Store } from '../../store/index.ts';
import type { StageOutcome } from '../executor.ts';
import { InProcessExecutor } from '../in-process.ts';
import { SlurmFiles } from './job-files.ts';

/** Exit statuses of a stage job (besides 0: committed). */
export const STAGE_JOB_EXIT = { failed: 1, aborted: 143, noDescription: 3 } as const;

export interface StageJobRequest {
  cacheRoot: string;
  /** The stage key, or for a task of an array the name of the array's key list. */
  target: { key: string } | { tasks: string; index: number };
  library: StageLibrary;
  ltxVersion: string;
  /** `123` or `123_4`, from Slurm's environment. */
  jobId: string;
  /** Where to say what went wrong before the stage could start (the job's log). */
  log(line: string): void;
}

export async function runStageJob(request: StageJobRequest): Promise<number> {
  const files = new SlurmFiles(request.cacheRoot);
  const key = 'key' in request.target ? request.target.key : await files.arrayKey(request.target.tasks, request.target.index).catch(() => undefined);
  const spec = key === undefined ? undefined : await files.readSpec(key);
  if (key === undefined || spec === undefined) {
    request.log(`ltx exec-stage: no stage description for ${JSON.stringify(request.target)} under ${files.root}: is the cache on a filesystem this node shares with the controller?`);
    return STAGE_JOB_EXIT.noDescription;
  }
  const store = new Store(request.cacheRoot);
  const controller = new AbortController();
  const onTerm = (): void => controller.abort();
  process.on('SIGTERM', onTerm);
  let outcome: StageOutcome;
  try {
    if (await store.lookup(key)) {
      outcome = { status: 'done', seconds: 0, metrics: (await store.lookup(key))?.metrics ?? {} };
    } else {
      const executor = new InProcessExecutor({
        store, library: request.library, programDir: spec.programDir, ltxVersion: request.ltxVersion, backend: spec.backend,
        deviceCacheBytes: spec.deviceCacheBytes, ...(spec.checkpoints === undefined ? {} : { checkpoints: spec.checkpoints }),
      });
      try {
        await executor.start();
        outcome = await executor.run(spec.stage, spec.inputKeys, { signal: controller.signal, progress: () => undefined });
      } catch (error) {
        outcome = { status: 'failed', error: (error as Error).message };
      } finally {
        await executor.close();
      }
    }
  } finally {
    process.off('SIGTERM', onTerm);
  }
  const code = outcome.status === 'done' ? 0 : outcome.status === 'aborted' ? STAGE_JOB_EXIT.aborted : STAGE_JOB_EXIT.failed;
  if (outcome.status === 'failed') request.log(`ltx exec-stage: ${spec.stage.name}: ${outcome.error}`);
  await files.writeExit(key, { jobId: request.jobId, code, outcome, host: hostname(), finishedAt: new Date().toISOString() });
  return code;
}
