// `ltx exec-stage --cache DIR KEY` (hidden): what a Slurm job runs to compute one stage; with
// `--tasks LIST` instead of KEY, the stage of the array task Slurm's environment names.
import { resolve } from 'node:path';
import { loadStageLibrary } from '../../runtime/executors/stage-library.ts';
import { runStageJob } from '../../runtime/executors/slurm/stage-job.ts';
import { STANDARD_STAGE_LIBRARY } from '../../stdlib/stage-library.ts';
import { UsageError } from '../usage.ts';
import packageJson from '../../package.json' with { type: 'json' };

export async function execStageCommand(key: string | undefined, flags: { cache?: string; tasks?: string }, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (flags.cache === undefined) throw new UsageError('ltx exec-stage: --cache DIR is required');
  if ((key === undefined) === (flags.tasks === undefined)) throw new UsageError('ltx exec-stage: expected a stage KEY or --tasks LIST');
  if (key !== undefined && !/^[0-9a-f]{64}$/.test(key)) throw new UsageError(`ltx exec-stage: '${key}' is not a stage key (64 hex digits)`);
  if (flags.tasks !== undefined && !/^[\w-]+$/.test(flags.tasks)) throw new UsageError(`ltx exec-stage: --tasks ${flags.tasks}: not the name of a task list`);
  const arrayJob = env['SLURM_ARRAY_JOB_ID'];
  const task = env['SLURM_ARRAY_TASK_ID'];
  if (flags.tasks !== undefined && (task === undefined || !/^\d+$/.test(task))) {
    throw new UsageError('ltx exec-stage: --tasks needs SLURM_ARRAY_TASK_ID (it runs as a task of a Slurm job array)');
  }
  const jobId = arrayJob !== undefined && task !== undefined ? `${arrayJob}_${task}` : env['SLURM_JOB_ID'] ?? `pid-${process.pid}`;
  return await runStageJob({
    cacheRoot: resolve(flags.cache),
    target: key !== undefined ? { key } : { tasks: flags.tasks!, index: Number(task) },
    library: await loadStageLibrary(STANDARD_STAGE_LIBRARY),
    ltxVersion: packageJson.version,
    jobId,
    log: (line) => process.stderr.write(`${line}\n`),
  });
}
