// The Slurm executor's files in the cache (which the nodes share with the controller):
//
//   <cache>/slurm/stages/<key>.json   what the job computes: the stage, its inputs, the backend to use
//   <cache>/slurm/jobs/<key>.json     the job that computes it: its id, when and by which run it was submitted
//   <cache>/slurm/exits/<key>.json    written by the job as it ends: the ground truth of how the stage ended
//   <cache>/slurm/arrays/<id>.keys    the stage keys of a job array, one per line, by task index
//   <cache>/slurm/logs/<job>.out      the job's stdout and stderr
//
// Every file is written to a temporary name and renamed into place, so a reader on any node sees all
// of it or nothing.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Stage } from '../../../core/stage.ts';
import type { BackendRequest } from '../../backends/select.ts';
import type { CheckpointSchedule } from '../../checkpoint-schedule.ts';
import { errorCode } from '../../store/durable-fs.ts';
import type { StageOutcome } from '../executor.ts';

/** What a job needs to compute its stage. */
export interface StageJobSpec {
  stage: Stage;
  inputKeys: Record<string, string>;
  programDir: string;
  backend: BackendRequest;
  deviceCacheBytes: number;
  checkpoints?: CheckpointSchedule;
}

/** The job that computes (or computed) a stage. */
export interface JobRecord {
  /** `123`, or `123_4` for a task of an array. */
  jobId: string;
  submittedAt: string;
  /** The `ltx run` that submitted it. */
  runId: string;
  /** How often the stage was submitted again after its job was lost (preempted, node failure). */
  requeues: number;
  /** Where its output goes. */
  log: string;
  time?: string;
  mem?: string;
}

/** How the job ended, in its own words. */
export interface ExitRecord {
  jobId: string;
  /** The process's exit status: 0 when the stage's result is committed. */
  code: number;
  outcome: StageOutcome;
  host: string;
  finishedAt: string;
}

export class SlurmFiles {
  readonly root: string;

  constructor(cacheRoot: string) {
    this.root = join(cacheRoot, 'slurm');
  }

  specPath(key: string): string {
    return join(this.root, 'stages', `${key}.json`);
  }

  jobPath(key: string): string {
    return join(this.root, 'jobs', `${key}.json`);
  }

  exitPath(key: string): string {
    return join(this.root, 'exits', `${key}.json`);
  }

  arrayPath(name: string): string {
    return join(this.root, 'arrays', `${name}.keys`);
  }

  get logsDir(): string {
    return join(this.root, 'logs');
  }

  /** sbatch's --output pattern: `%j` is the job id, `%A_%a` an array task's; a literal % is doubled. */
  logPattern(array: boolean): string {
    return join(this.logsDir.replaceAll('%', '%%'), array ? '%A_%a.out' : '%j.out');
  }

  /** The log of a job once its id is known. */
  logOf(jobId: string): string {
    return join(this.logsDir, `${jobId}.out`);
  }

  async prepare(): Promise<void> {
    for (const dir of ['stages', 'jobs', 'exits', 'arrays', 'logs']) await mkdir(join(this.root, dir), { recursive: true });
  }

  writeSpec(key: string, spec: StageJobSpec): Promise<void> {
    return this.#writeJson(this.specPath(key), spec);
  }

  readSpec(key: string): Promise<StageJobSpec | undefined> {
    return this.#readJson<StageJobSpec>(this.specPath(key));
  }

  writeJob(key: string, record: JobRecord): Promise<void> {
    return this.#writeJson(this.jobPath(key), record);
  }

  readJob(key: string): Promise<JobRecord | undefined> {
    return this.#readJson<JobRecord>(this.jobPath(key));
  }

  writeExit(key: string, record: ExitRecord): Promise<void> {
    return this.#writeJson(this.exitPath(key), record);
  }

  readExit(key: string): Promise<ExitRecord | undefined> {
    return this.#readJson<ExitRecord>(this.exitPath(key));
  }

  /** Before a stage is submitted again: the previous job's exit file must not speak for the new one. */
  async forgetExit(key: string): Promise<void> {
    await rm(this.exitPath(key), { force: true });
  }

  async writeArray(keys: readonly string[]): Promise<string> {
    const name = randomUUID();
    await this.#writeText(this.arrayPath(name), keys.join('\n') + '\n');
    return name;
  }

  /** The stage key of task `index` of the array named `name`. */
  async arrayKey(name: string, index: number): Promise<string | undefined> {
    const text = await readFile(this.arrayPath(name), 'utf8');
    return text.split('\n')[index] || undefined;
  }

  #writeJson(path: string, value: unknown): Promise<void> {
    return this.#writeText(path, JSON.stringify(value) + '\n');
  }

  async #writeText(path: string, text: string): Promise<void> {
    const temporary = `${path}.${randomUUID()}.tmp`;
    await writeFile(temporary, text);
    await rename(temporary, path);
  }

  async #readJson<T>(path: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(path, 'utf8')) as T;
    } catch (error) {
      if (errorCode(error) === 'ENOENT' || error instanceof SyntaxError) return undefined;
      throw error;
    }
  }
}
