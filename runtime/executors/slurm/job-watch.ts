// Waiting for many jobs with one query per cycle: cluster admins object to tools that poll per job.
// Each cycle reads the exit-code files of the jobs watched (the ground truth, on the shared filesystem),
// then asks squeue once about the others, and accounting (sacct) about those squeue has forgotten.
import { setTimeout as sleep } from 'node:timers/promises';
import { isOngoing, isStuck, type JobSighting } from './job-states.ts';
import type { ExitRecord, SlurmFiles } from './job-files.ts';
import { maxArraySize, sacct, scancel, squeue } from './slurm-cli.ts';

/** How a watched job ended (or got stuck): its exit file if it wrote one, else Slurm's word. */
export type JobEnding = { exit: ExitRecord } | { sighting: JobSighting };

/** The queries a watch makes (replaceable in tests). */
export interface JobQueries {
  squeue(ids: readonly string[]): Promise<JobSighting[]>;
  sacct(ids: readonly string[]): Promise<JobSighting[]>;
}

/** Everything the executor asks of Slurm besides submitting (replaceable in tests). */
export interface SlurmClient extends JobQueries {
  scancel(ids: readonly string[]): Promise<void>;
  maxArraySize(): Promise<number>;
}

export const SLURM_QUERIES: SlurmClient = { squeue, sacct, scancel, maxArraySize };

/** Cycles a job Slurm calls COMPLETED may take to show its exit file (a shared filesystem's delay). */
const EXIT_FILE_GRACE_CYCLES = 3;

/** What Slurm knows of each of `ids`: squeue first, accounting for the ones it no longer shows. */
export async function sightJobs(ids: readonly string[], queries: JobQueries = SLURM_QUERIES): Promise<Map<string, JobSighting>> {
  const seen = new Map((await queries.squeue(ids)).map((s) => [s.id, s]));
  const forgotten = ids.filter((id) => !seen.has(id));
  if (forgotten.length > 0) for (const s of await queries.sacct(forgotten)) if (forgotten.includes(s.id)) seen.set(s.id, s);
  return seen;
}

interface Watched {
  key: string;
  jobId: string;
  completedCycles: number;
  unknownCycles: number;
  settle(ending: JobEnding): void;
}

export class JobWatch {
  readonly #files: SlurmFiles;
  readonly #pollMs: number;
  readonly #queries: JobQueries;
  readonly #watched = new Set<Watched>();
  #looping = false;

  constructor(files: SlurmFiles, pollMs: number, queries: JobQueries = SLURM_QUERIES) {
    this.#files = files;
    this.#pollMs = pollMs;
    this.#queries = queries;
  }

  /** Resolves when job `jobId` (computing stage `key`) has ended or can never start; rejects when `signal` aborts. */
  until(key: string, jobId: string, signal: AbortSignal): Promise<JobEnding> {
    return new Promise((resolve, reject) => {
      const entry: Watched = {
        key, jobId, completedCycles: 0, unknownCycles: 0,
        settle: (ending) => {
          this.#watched.delete(entry);
          signal.removeEventListener('abort', onAbort);
          resolve(ending);
        },
      };
      const onAbort = (): void => {
        this.#watched.delete(entry);
        reject(signal.reason);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.#watched.add(entry);
      if (!this.#looping) void this.#loop();
    });
  }

  async #loop(): Promise<void> {
    this.#looping = true;
    try {
      while (this.#watched.size > 0) {
        await this.#cycle();
        if (this.#watched.size > 0) await sleep(this.#pollMs);
      }
    } finally {
      this.#looping = false;
    }
  }

  async #cycle(): Promise<void> {
    const entries = [...this.#watched];
    const open: Watched[] = [];
    for (const entry of entries) {
      const exit = await this.#files.readExit(entry.key);
      if (exit !== undefined && exit.jobId === entry.jobId && exit.outcome.status !== 'aborted') entry.settle({ exit });
      else open.push(entry);
    }
    if (open.length === 0) return;
    let seen: Map<string, JobSighting>;
    try {
      seen = await sightJobs([...new Set(open.map((e) => e.jobId))], this.#queries);
    } catch {
      // The controller may be briefly unreachable (restarting, overloaded): ask again next cycle.
      return;
    }
    for (const entry of open) {
      const sighting = seen.get(entry.jobId);
      if (sighting === undefined) {
        // A job sbatch just accepted is always known; one Slurm forgot and accounting never heard of is gone.
        if (++entry.unknownCycles >= 2) entry.settle({ sighting: { id: entry.jobId, state: 'UNKNOWN', reason: 'neither squeue nor sacct knows it', node: '', elapsed: '' } });
        continue;
      }
      if (isOngoing(sighting) && !isStuck(sighting)) continue;
      if (sighting.state === 'COMPLETED' && ++entry.completedCycles < EXIT_FILE_GRACE_CYCLES) continue;
      entry.settle({ sighting });
    }
  }
}
