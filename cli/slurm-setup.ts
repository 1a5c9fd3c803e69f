// The Slurm executor as `ltx run` builds it: settings from slurm.json beside the program and --slurm
// flags, the job command (this Node and this ltx, unless the settings name what the nodes run).
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendRequest } from '../runtime/backends/choice.ts';
import type { CheckpointSchedule } from '../runtime/checkpoint-schedule.ts';
import { SlurmFiles } from '../runtime/executors/slurm/job-files.ts';
import { applyConfigFile, applyFlags, defaultSettings, SLURM_CONFIG_FILE, SlurmSettingsError, type SlurmSettings } from '../runtime/executors/slurm/resources.ts';
import { JobSubmitter } from '../runtime/executors/slurm/submit.ts';
import { errorCode } from '../runtime/store/durable-fs.ts';
import { UsageError } from './usage.ts';

const LTX_BIN = fileURLToPath(new URL('../bin/ltx.js', import.meta.url));

/** Defaults, then slurm.json beside `programFile` (if there is one), then `flags`; bad settings are usage errors. */
export async function slurmSettings(programFile: string, flags: readonly string[]): Promise<SlurmSettings> {
  const settings = defaultSettings();
  const configFile = join(dirname(resolve(programFile)), SLURM_CONFIG_FILE);
  try {
    let text: string | undefined;
    try {
      text = await readFile(configFile, 'utf8');
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw new SlurmSettingsError(`${configFile}: ${(error as Error).message}`);
    }
    if (text !== undefined) {
      let config: unknown;
      try {
        config = JSON.parse(text);
      } catch (error) {
        throw new SlurmSettingsError(`${configFile}: not valid JSON: ${(error as Error).message}`);
      }
      applyConfigFile(settings, config, configFile);
    }
    applyFlags(settings, flags);
  } catch (error) {
    if (error instanceof SlurmSettingsError) throw new UsageError(`ltx run: ${error.message}`);
    throw error;
  }
  return settings;
}

export interface SubmitterSetup {
  cacheRoot: string;
  programFile: string;
  settings: SlurmSettings;
  backend: BackendRequest;
  deviceCacheBytes: number;
  checkpoints: CheckpointSchedule;
}

export function slurmSubmitter(setup: SubmitterSetup): { files: SlurmFiles; submitter: JobSubmitter } {
  const files = new SlurmFiles(setup.cacheRoot);
  const submitter = new JobSubmitter({
    files, cacheRoot: setup.cacheRoot, settings: setup.settings, runId: randomUUID(),
    command: setup.settings.command ?? [process.execPath, LTX_BIN],
    spec: { programDir: dirname(resolve(setup.programFile)), backend: setup.backend, deviceCacheBytes: setup.deviceCacheBytes, checkpoints: setup.checkpoints },
  });
  return { files, submitter };
}
