// What Slurm says about a job, and what that means for the stage it runs. The exit-code file the job
// writes (job-files.ts) is the ground truth of how the stage ended; Slurm's state only speaks where the
// job could not write it (killed for its time limit or memory, its node lost, cancelled, preempted).

/** One job (or one task of an array) as squeue/sacct report it. */
export interface JobSighting {
  /** `123`, or `123_4` for task 4 of array 123. */
  id: string;
  /** Slurm's JobState, upper case without suffixes (`CANCELLED`, not `CANCELLED by 0`). */
  state: string;
  /** Why it is pending, or why it ended (`DependencyNeverSatisfied`, `NonZeroExitCode`, …). */
  reason: string;
  /** Where it runs or ran (empty while pending). */
  node: string;
  /** Run time as Slurm prints it (`0:05`, `1-02:03:04`). */
  elapsed: string;
}

/** States a job leaves again by itself: wait. */
const ONGOING = new Set([
  'PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'REQUEUED', 'REQUEUE_FED', 'REQUEUE_HOLD', 'RESIZING',
  'SUSPENDED', 'STOPPED', 'SIGNALING', 'STAGE_OUT', 'RESV_DEL_HOLD', 'SPECIAL_EXIT', 'POWER_UP_NODE',
]);

/** States that say the job never got a fair chance: run it again (up to the requeue limit). */
const LOST = new Set(['PREEMPTED', 'NODE_FAIL', 'BOOT_FAIL']);

export function isOngoing(sighting: JobSighting): boolean {
  return ONGOING.has(sighting.state);
}

/** A pending job whose dependency can never be met (its parent's job failed or went away). */
export function isStuck(sighting: JobSighting): boolean {
  return sighting.state === 'PENDING' && sighting.reason === 'DependencyNeverSatisfied';
}

export type JobVerdict =
  /** Still queued or running. */
  | { verdict: 'ongoing' }
  /** Submit the stage again: the job was lost through no fault of the stage (`counts`: against the limit). */
  | { verdict: 'again'; why: string; counts: boolean }
  /** The stage failed: `error` says why, in words. */
  | { verdict: 'failed'; error: string }
  /** The job ended without an exit-code file although Slurm calls it a success: look once more. */
  | { verdict: 'no-exit-file' };

export interface VerdictContext {
  /** Whether a job cancelled by someone else (`scancel` outside ltx) is submitted again. */
  requeueCancelled: boolean;
  /** The time limit and memory the job asked for, to name them in a failure. */
  time: string | undefined;
  mem: string | undefined;
  /** Where the job's output went. */
  log: string;
}

/** What Slurm's word on a job that left no exit-code file means for its stage. */
export function verdictOf(sighting: JobSighting, context: VerdictContext): JobVerdict {
  const job = `Slurm job ${sighting.id}`;
  if (isStuck(sighting)) return { verdict: 'again', why: `${job} waited on a job that will never succeed`, counts: false };
  if (isOngoing(sighting)) return { verdict: 'ongoing' };
  if (LOST.has(sighting.state)) {
    const what = sighting.state === 'PREEMPTED' ? 'was preempted' : `lost its node (${sighting.state})`;
    return { verdict: 'again', why: `${job} ${what}`, counts: true };
  }
  switch (sighting.state) {
    case 'COMPLETED':
      return { verdict: 'no-exit-file' };
    case 'TIMEOUT':
      return { verdict: 'failed', error: `${job} reached its time limit${context.time === undefined ? '' : ` (${context.time})`} and was stopped; give this kind of stage more time (slurm.json or --slurm time=...)` };
    case 'OUT_OF_MEMORY':
      return { verdict: 'failed', error: `${job} ran out of memory${context.mem === undefined ? '' : ` (it asked for ${context.mem})`} and was killed; give this kind of stage more memory (slurm.json or --slurm mem=...)` };
    case 'CANCELLED':
      if (sighting.reason === 'DependencyNeverSatisfied') return { verdict: 'again', why: `${job} waited on a job that will never succeed`, counts: false };
      return context.requeueCancelled
        ? { verdict: 'again', why: `${job} was cancelled outside ltx`, counts: true }
        : { verdict: 'failed', error: `${job} was cancelled outside ltx (scancel)` };
    case 'FAILED':
      return { verdict: 'failed', error: `${job} failed (${sighting.reason || 'no reason given'}) before ltx could record why; its output: ${context.log}` };
    default:
      return { verdict: 'failed', error: `${job} ended in state ${sighting.state}${sighting.reason && sighting.reason !== 'None' ? ` (${sighting.reason})` : ''}; its output: ${context.log}` };
  }
}

/** The fields squeue prints for each job, in the order parseSqueue reads them. */
export const SQUEUE_FORMAT = '%i|%T|%r|%N|%M';

/** squeue -h -r -o SQUEUE_FORMAT output, one sighting per line. */
export function parseSqueue(text: string): JobSighting[] {
  return text.split('\n').filter((line) => line.trim() !== '').map((line) => {
    const [id = '', state = '', reason = '', node = '', elapsed = ''] = line.split('|');
    return { id: id.trim(), state: normalState(state), reason: reason.trim(), node: node.trim(), elapsed: elapsed.trim() };
  });
}

/** The fields sacct prints, in the order parseSacct reads them. */
export const SACCT_FORMAT = 'JobID,State,NodeList,Elapsed';

/** sacct -X -n -P -o SACCT_FORMAT output (`CANCELLED by 0` becomes CANCELLED). */
export function parseSacct(text: string): JobSighting[] {
  return text.split('\n').filter((line) => line.trim() !== '').map((line) => {
    const [id = '', state = '', node = '', elapsed = ''] = line.split('|');
    return { id: id.trim(), state: normalState(state), reason: '', node: node.trim(), elapsed: elapsed.trim() };
  });
}

function normalState(state: string): string {
  return state.trim().split(/\s+/)[0]!.replace(/\+$/, '').toUpperCase();
}
