// `ltx status FILE`: where each stage of a program stands, from the cache (done), the exit-code files
// and one batched Slurm query for the jobs recorded in the cache (queued, running, failed).
import type { Stage } from '../../../core/stage.ts';
import type { SlurmFiles } from './job-files.ts';
import { isOngoing, type JobSighting } from './job-states.ts';
import { sightJobs } from './job-watch.ts';

export type StagePosition = 'done' | 'queued' | 'running' | 'failed' | 'not submitted';

export interface StageStatus {
  stage: Stage;
  position: StagePosition;
  job?: string;
  node?: string;
  elapsed?: string;
  /** Why it waits (pending) or how it ended (failed). */
  detail?: string;
}

export async function stageStatuses(stages: readonly Stage[], cached: ReadonlySet<string>, files: SlurmFiles): Promise<StageStatus[]> {
  const records = await Promise.all(stages.map((stage) => files.readJob(stage.key)));
  const exits = await Promise.all(stages.map((stage, i) => records[i] === undefined || cached.has(stage.key) ? undefined : files.readExit(stage.key)));
  let seen = new Map<string, JobSighting>();
  try {
    seen = await sightJobs(stages.flatMap((stage, i) => records[i] === undefined || cached.has(stage.key) ? [] : [records[i]!.jobId]));
  } catch {
    // Without the controller the cache and the exit files still say much.
  }
  return stages.map((stage, i): StageStatus => {
    const record = records[i];
    if (cached.has(stage.key)) return { stage, position: 'done', ...(record === undefined ? {} : { job: record.jobId }) };
    if (record === undefined) return { stage, position: 'not submitted' };
    const sighting = seen.get(record.jobId);
    const where = { job: record.jobId, ...(sighting?.node ? { node: sighting.node } : {}), ...(sighting?.elapsed ? { elapsed: sighting.elapsed } : {}) };
    const exit = exits[i];
    if (exit !== undefined && exit.jobId === record.jobId) {
      if (exit.outcome.status === 'done') return { stage, position: 'done', ...where };
      return { stage, position: 'failed', ...where, detail: exit.outcome.status === 'failed' ? exit.outcome.error : 'stopped before it finished' };
    }
    if (sighting === undefined) return { stage, position: 'failed', ...where, detail: 'Slurm no longer knows its job' };
    if (sighting.state === 'PENDING') return { stage, position: 'queued', ...where, detail: sighting.reason };
    if (isOngoing(sighting)) return { stage, position: 'running', ...where };
    return { stage, position: 'failed', ...where, detail: `${sighting.state}${sighting.reason && sighting.reason !== 'None' ? ` (${sighting.reason})` : ''}` };
  });
}
