// The Slurm executor: each stage the scheduler hands it becomes a batch job (stages of one kind that
// become ready together become one job array), and the scheduler's order is the DAG's order: a stage is
// submitted once its parents' results are committed. One watch polls all jobs of the run per cycle.
//
// Re-attaching: every submitted job is recorded in the cache (job-files.ts) and in the stage's claim.
// A controller that was killed and started again finds the record and adopts the job when it is still
// queued or running, or has committed its result, instead of submitting it again.
import type { Stage } from '../../../core/stage.ts';
import { ExecutorStartError, type Executor, type StageHooks, type StageOutcome } from '../executor.ts';
import { Batcher } from './batcher.ts';
import type { JobRecord, SlurmFiles } from './job-files.ts';
import { adoptableJob } from './adopt.ts';
import { verdictOf, type JobSighting } from './job-states.ts';
import { JobWatch, sightJobs, SLURM_QUERIES, type SlurmClient } from './job-watch.ts';
import { JobSubmitter, type StageToSubmit } from './submit.ts';

/** How long stages that become ready together are gathered before they are submitted (one array per kind). */
const SUBMIT_WINDOW_MS = 150;

type Submitted = { record: JobRecord } | { error: string };

export interface SlurmExecutorOptions {
  files: SlurmFiles;
  submitter: JobSubmitter;
  /** Default: Slurm's own commands. */
  slurm?: SlurmClient;
}

export class SlurmExecutor implements Executor {
  readonly backend = undefined;
  readonly #files: SlurmFiles;
  readonly #submitter: JobSubmitter;
  readonly #watch: JobWatch;
  readonly #slurm: SlurmClient;
  readonly #submissions = new Batcher<StageToSubmit, Submitted>(SUBMIT_WINDOW_MS, (items) => this.#submitBatch(items));
  readonly #cancels = new Batcher<string, void>(50, async (ids) => {
    await this.#slurm.scancel(ids).catch(() => undefined);
    return ids.map(() => undefined);
  });
  /** Adoption checks of stages that become ready together share one query. */
  readonly #sightings = new Batcher<string, JobSighting | undefined>(20, async (ids) => {
    const seen = await sightJobs(ids, this.#slurm).catch(() => new Map<string, JobSighting>());
    return ids.map((id) => seen.get(id));
  });
  #arrayLimit = 1001;

  constructor(options: SlurmExecutorOptions) {
    this.#files = options.files;
    this.#submitter = options.submitter;
    this.#slurm = options.slurm ?? SLURM_QUERIES;
    this.#watch = new JobWatch(options.files, options.submitter.settings.pollMs, this.#slurm);
  }

  /** Reaches the controller (which also says how large an array may be) and prepares the cache's job files. */
  async start(): Promise<void> {
    try {
      this.#arrayLimit = await this.#slurm.maxArraySize();
      await this.#files.prepare();
    } catch (error) {
      throw new ExecutorStartError(`the slurm executor cannot start: ${(error as Error).message}`);
    }
  }

  async run(stage: Stage, inputKeys: Readonly<Record<string, string>>, hooks: StageHooks): Promise<StageOutcome> {
    let job = await adoptableJob(this.#files, stage.key, (id) => this.#sightings.add(id));
    let requeues = job?.requeues ?? 0;
    for (;;) {
      if (hooks.signal.aborted) return { status: 'aborted' };
      if (job === undefined) {
        const submitted = await this.#submissions.add({ stage, inputKeys, requeues });
        if ('error' in submitted) return { status: 'failed', error: submitted.error };
        job = submitted.record;
      }
      hooks.submitted?.(job.jobId);
      let ending;
      try {
        ending = await this.#watch.until(stage.key, job.jobId, hooks.signal);
      } catch {
        await this.#cancels.add(job.jobId);
        return { status: 'aborted' };
      }
      if ('exit' in ending) return ending.exit.outcome;
      const verdict = verdictOf(ending.sighting, { requeueCancelled: this.#submitter.settings.requeueCancelled, time: job.time, mem: job.mem, log: job.log });
      if (verdict.verdict === 'failed') return { status: 'failed', error: verdict.error };
      if (verdict.verdict === 'no-exit-file') {
        return { status: 'failed', error: `Slurm job ${job.jobId} ended without leaving its exit-code file in ${this.#files.root}: is the cache (--cache) on a filesystem that the nodes share with this machine? Its output: ${job.log}` };
      }
      if (verdict.verdict === 'again') {
        if (ending.sighting.state === 'PENDING') await this.#cancels.add(job.jobId);
        if (verdict.counts && requeues >= this.#submitter.settings.requeue) {
          return { status: 'failed', error: `${verdict.why}, and the stage was submitted ${requeues + 1} times (the limit: requeue=${this.#submitter.settings.requeue})` };
        }
        if (verdict.counts) requeues++;
        job = undefined;
      }
    }
  }

  async close(): Promise<void> {
    // Jobs outlive the controller on purpose (re-attach); an interrupted run cancels its own in run().
  }

  async #submitBatch(items: StageToSubmit[]): Promise<Submitted[]> {
    const byKind = new Map<string, number[]>();
    for (const [index, item] of items.entries()) {
      let group = byKind.get(item.stage.kind);
      if (group === undefined) byKind.set(item.stage.kind, (group = []));
      group.push(index);
    }
    const results: Submitted[] = new Array<Submitted>(items.length);
    await Promise.all([...byKind.values()].flatMap((indices) => chunks(indices, this.#arrayLimit).map(async (chunk) => {
      const group = chunk.map((index) => items[index]!);
      try {
        const records = group.length === 1 ? [await this.#submitter.submitOne(group[0]!)] : await this.#submitter.submitArray(group);
        chunk.forEach((index, i) => { results[index] = { record: records[i]! }; });
      } catch (error) {
        for (const index of chunk) results[index] = { error: `could not submit it to Slurm: ${(error as Error).message}` };
      }
    })));
    return results;
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
