// `ltx run --detach`: the whole DAG goes to Slurm at once and the controller exits. Each stage's job
// waits for its parents' jobs (`--dependency=afterok`) and is cancelled by Slurm when one of them fails
// (`--kill-on-invalid-dep`), so the DAG's order holds without anyone watching. Jobs recorded by an
// earlier run that are still queued or running (or done) are adopted, not submitted again.
import { stageDependencies, type Stage } from '../../../core/stage.ts';
import { adoptableJob } from './adopt.ts';
import type { SlurmFiles } from './job-files.ts';
import { sightJobs } from './job-watch.ts';
import type { JobSubmitter } from './submit.ts';

export interface DetachedStage {
  stage: Stage;
  jobId: string;
  /** Submitted by an earlier run and still good. */
  adopted: boolean;
}

/** Submits `stages` (parents first) except those `cached`; the jobs in the order of `stages`. */
export async function submitAhead(stages: readonly Stage[], cached: ReadonlySet<string>, files: SlurmFiles, submitter: JobSubmitter): Promise<DetachedStage[]> {
  await files.prepare();
  const recorded = await Promise.all(stages.map(async (stage) => cached.has(stage.key) ? undefined : await files.readJob(stage.key)));
  const seen = await sightJobs(recorded.flatMap((record) => record === undefined ? [] : [record.jobId]));
  const jobOf = new Map<string, string>();
  const submitted: DetachedStage[] = [];
  for (const stage of stages) {
    if (cached.has(stage.key)) continue;
    const adopted = await adoptableJob(files, stage.key, async (id) => seen.get(id));
    let jobId = adopted?.jobId;
    if (jobId === undefined) {
      const parents = stageDependencies(stage).flatMap((key) => jobOf.get(key) ?? []);
      jobId = (await submitter.submitOne({ stage, inputKeys: stage.inputs, requeues: 0 }, parents)).jobId;
    }
    jobOf.set(stage.key, jobId);
    submitted.push({ stage, jobId, adopted: adopted !== undefined });
  }
  return submitted;
}
