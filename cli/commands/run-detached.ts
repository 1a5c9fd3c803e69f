// `ltx run FILE --executor slurm --detach`: the stages the cache lacks go to Slurm at once, each job
// waiting for its parents' (afterok), and the command exits; `ltx status FILE` follows them, and a
// later `ltx run` adopts them. `--slurm order=afterok` submits the same way, then follows the jobs.
import type { Stage } from '../../core/stage.ts';
import { cachedKeys } from '../../runtime/cache-survey.ts';
import { submitAhead, type DetachedStage } from '../../runtime/executors/slurm/detach.ts';
import type { SlurmFiles } from '../../runtime/executors/slurm/job-files.ts';
import { SlurmCommandError } from '../../runtime/executors/slurm/slurm-cli.ts';
import type { JobSubmitter } from '../../runtime/executors/slurm/submit.ts';
import type { Store } from '../../runtime/store/index.ts';
import { printJson } from '../compile-file.ts';
import { plural } from '../terminal.ts';
import { EXIT } from '../usage.ts';

export interface SlurmJobs {
  files: SlurmFiles;
  submitter: JobSubmitter;
}

/**
 * Every stage of `stages` the cache lacks, submitted at once with afterok dependencies (or adopted);
 * a number instead when Slurm refused (the exit status: the reason is on stderr).
 */
export async function submitEverything(stages: readonly Stage[], store: Store, slurm: SlurmJobs): Promise<DetachedStage[] | number> {
  await store.prepareForWriting();
  try {
    return await submitAhead(stages, await cachedKeys(store, stages), slurm.files, slurm.submitter);
  } catch (error) {
    if (!(error instanceof SlurmCommandError)) throw error;
    process.stderr.write(`ltx: ${error.message}\n`);
    return EXIT.invalid;
  }
}

export async function detachedRun(file: string, stages: readonly Stage[], store: Store, slurm: SlurmJobs, json: boolean): Promise<number> {
  const submitted = await submitEverything(stages, store, slurm);
  if (typeof submitted === 'number') return submitted;
  if (json) {
    printJson({ file, cache: store.root, stages: submitted.map((s) => ({ id: s.stage.key, name: s.stage.name, job: s.jobId, adopted: s.adopted })) });
    return EXIT.ok;
  }
  const adopted = submitted.filter((s) => s.adopted).length;
  for (const s of submitted) process.stdout.write(`${s.adopted ? 'queued already' : 'submitted'} ${s.stage.name}: job ${s.jobId}\n`);
  process.stdout.write(`\n${plural(stages.length, 'stage')}: ${stages.length - submitted.length} cached, ${submitted.length - adopted} submitted, ${adopted} already queued\n`);
  process.stdout.write(`follow them: ltx status ${file}; collect them: ltx run ${file} --executor slurm\n`);
  return EXIT.ok;
}
