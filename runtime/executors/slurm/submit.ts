// Turning stages into batch jobs. A job runs the constant script stage-job.sh with the command as its
// arguments (`node ltx.js exec-stage --cache DIR KEY`): nothing a program says (names, strings, paths)
// ever becomes text a shell reads, and the job's name and options are made of ltx's own words.
import { fileURLToPath } from 'node:url';
import type { Stage } from '../../../core/stage.ts';
import type { JobRecord, SlurmFiles, StageJobSpec } from './job-files.ts';
import { sbatchOptions, type SlurmSettings } from './resources.ts';
import { sbatch } from './slurm-cli.ts';

export const STAGE_JOB_SCRIPT = fileURLToPath(new URL('./stage-job.sh', import.meta.url));

export interface SubmitterOptions {
  files: SlurmFiles;
  cacheRoot: string;
  settings: SlurmSettings;
  /** What a job runs before `exec-stage …`: node and ltx as the nodes see them. */
  command: readonly string[];
  runId: string;
  /** What every job's stage description holds besides the stage itself. */
  spec: Omit<StageJobSpec, 'stage' | 'inputKeys'>;
  /** Submits a job, answering its id (default: Slurm's sbatch; tests bring their own). */
  sbatch?: (args: readonly string[]) => Promise<string>;
}

export interface StageToSubmit {
  stage: Stage;
  inputKeys: Readonly<Record<string, string>>;
  /** Submissions of this stage before (its job lost to preemption or a node failure). */
  requeues: number;
}

export class JobSubmitter {
  readonly #options: SubmitterOptions;

  constructor(options: SubmitterOptions) {
    this.#options = options;
  }

  get settings(): SlurmSettings {
    return this.#options.settings;
  }

  /**
   * One job for one stage; `afterOk` are jobs it must wait for (Slurm starts it once they all succeeded,
   * and cancels it when one of them fails).
   */
  async submitOne(item: StageToSubmit, afterOk: readonly string[] = []): Promise<JobRecord> {
    const { files, cacheRoot } = this.#options;
    await this.#describe([item]);
    const dependency = afterOk.length === 0 ? [] : [`--dependency=afterok:${afterOk.join(':')}`, '--kill-on-invalid-dep=yes'];
    const id = await this.#sbatch([
      ...this.#common(item.stage), `--job-name=ltx-${item.stage.kind}-${item.stage.key.slice(0, 8)}`,
      `--output=${files.logPattern(false)}`, ...dependency,
      STAGE_JOB_SCRIPT, ...this.#options.command, 'exec-stage', '--cache', cacheRoot, item.stage.key,
    ]);
    return await this.#record(item, id);
  }

  /** One job array for stages of one kind (at most the cluster's MaxArraySize): task i computes items[i]. */
  async submitArray(items: readonly StageToSubmit[]): Promise<JobRecord[]> {
    const { files, cacheRoot } = this.#options;
    const first = items[0]!.stage;
    await this.#describe(items);
    const list = await files.writeArray(items.map((item) => item.stage.key));
    const id = await this.#sbatch([
      ...this.#common(first), `--job-name=ltx-${first.kind}-x${items.length}`, `--array=0-${items.length - 1}`,
      `--output=${files.logPattern(true)}`,
      STAGE_JOB_SCRIPT, ...this.#options.command, 'exec-stage', '--cache', cacheRoot, '--tasks', list,
    ]);
    return await Promise.all(items.map((item, index) => this.#record(item, `${id}_${index}`)));
  }

  #sbatch(args: readonly string[]): Promise<string> {
    return (this.#options.sbatch ?? sbatch)(args);
  }

  #common(stage: Stage): string[] {
    // ltx submits lost stages again itself, within its limit: Slurm must not requeue them on its own.
    return ['--no-requeue', ...sbatchOptions(this.#options.settings.resources[stage.kind])];
  }

  async #describe(items: readonly StageToSubmit[]): Promise<void> {
    const { files, spec } = this.#options;
    await Promise.all(items.map(async ({ stage, inputKeys }) => {
      await files.forgetExit(stage.key);
      await files.writeSpec(stage.key, { ...spec, stage, inputKeys: { ...inputKeys } });
    }));
  }

  async #record(item: StageToSubmit, jobId: string): Promise<JobRecord> {
    const { files, settings, runId } = this.#options;
    const resources = settings.resources[item.stage.kind];
    const record: JobRecord = {
      jobId, submittedAt: new Date().toISOString(), runId, requeues: item.requeues, log: files.logOf(jobId),
      ...(resources.time === undefined ? {} : { time: resources.time }), ...(resources.mem === undefined ? {} : { mem: resources.mem }),
    };
    await files.writeJob(item.stage.key, record);
    return record;
  }
}
