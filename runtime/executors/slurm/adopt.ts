// Whether a stage's recorded job is worth waiting for instead of submitting the stage again: it is
// still queued or running, or it committed the result. A job that failed is not adopted: a new run
// tries the stage again (with the resources it asks for now).
import { isOngoing, type JobSighting } from './job-states.ts';
import type { JobRecord, SlurmFiles } from './job-files.ts';

export async function adoptableJob(files: SlurmFiles, key: string, sight: (jobId: string) => Promise<JobSighting | undefined>): Promise<JobRecord | undefined> {
  const record = await files.readJob(key);
  if (record === undefined) return undefined;
  const exit = await files.readExit(key);
  if (exit !== undefined && exit.jobId === record.jobId) return exit.outcome.status === 'done' ? record : undefined;
  const sighting = await sight(record.jobId);
  return sighting !== undefined && isOngoing(sighting) ? record : undefined;
}
