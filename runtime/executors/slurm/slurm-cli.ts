// Slurm's client commands, run as argument lists (execFile: no shell ever reads a value), found on PATH.
import { execFile } from 'node:child_process';
import { parseSacct, parseSqueue, SACCT_FORMAT, SQUEUE_FORMAT, type JobSighting } from './job-states.ts';

/** A Slurm command that did not do what was asked: its own words in `message`. */
export class SlurmCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlurmCommandError';
  }
}

/** Runs `command args`, resolving with its stdout; rejects with its stderr's words when it fails. */
export function slurm(command: string, args: readonly string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) return resolve(stdout);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return reject(new SlurmCommandError(`${command} is not on PATH: is this a Slurm login node (or is Slurm's client installed)?`));
      const said = stderr.trim().split('\n').filter(Boolean).slice(-3).join('; ');
      reject(new SlurmCommandError(`${command} failed: ${said || error.message}`));
    });
  });
}

/** sbatch --parsable: the new job's id (`123`; a cluster name after `;` is dropped). */
export async function sbatch(args: readonly string[]): Promise<string> {
  const out = await slurm('sbatch', ['--parsable', ...args]);
  const id = out.trim().split(';')[0]!;
  if (!/^\d+$/.test(id)) throw new SlurmCommandError(`sbatch answered '${out.trim()}' instead of a job id`);
  return id;
}

/**
 * All the jobs named (plain ids, or array ids: then one sighting per task) in one squeue call, finished
 * ones included for as long as the cluster keeps them (MinJobAge). Ids squeue does not know are absent.
 */
export async function squeue(ids: readonly string[]): Promise<JobSighting[]> {
  if (ids.length === 0) return [];
  try {
    return parseSqueue(await slurm('squeue', ['-h', '-r', '-t', 'all', '-j', ids.join(','), '-o', SQUEUE_FORMAT]));
  } catch (error) {
    // squeue lists the ids it knows and ignores the others, but fails when it knows none of them.
    if (error instanceof SlurmCommandError && /Invalid job id/i.test(error.message)) return [];
    throw error;
  }
}

/**
 * Finished jobs squeue no longer shows, from accounting: `sacct`, else (no accounting database)
 * `sacct -c`, which reads the job-completion log; empty when neither answers.
 */
export async function sacct(ids: readonly string[]): Promise<JobSighting[]> {
  if (ids.length === 0) return [];
  for (const completion of [[], ['-c']]) {
    try {
      return parseSacct(await slurm('sacct', [...completion, '-X', '-n', '-P', '-j', ids.join(','), '-o', SACCT_FORMAT]));
    } catch (error) {
      if (!(error instanceof SlurmCommandError)) throw error;
    }
  }
  return [];
}

export async function scancel(ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await slurm('scancel', [...ids]);
}

/** The largest array the cluster accepts (its MaxArraySize; task indices go up to one less). */
export async function maxArraySize(): Promise<number> {
  const config = await slurm('scontrol', ['show', 'config']);
  const match = /^MaxArraySize\s*=\s*(\d+)/m.exec(config);
  return match === null ? 1001 : Number(match[1]);
}
