// Scaffolding for tests through a real Slurm cluster (scripts/slurm-cluster.sh start, as .ci/run does):
// whether one answers (else the reason to skip), `ltx` with its SLURM_CONF, sbatch counted through a
// wrapper on PATH, waiting for files and job states.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { env as ltxEnv, TINY } from '../cli/helpers.ts';

/** Where scripts/slurm-cluster.sh writes its configuration unless SLURM_CONF says otherwise. */
export const SLURM_CONF = process.env['SLURM_CONF'] || '/var/tmp/ltx-slurm/etc/slurm.conf';

/** Why the tests through Slurm cannot run here; undefined when a cluster answers. */
export function clusterUnavailable(): string | undefined {
  if (!existsSync(SLURM_CONF)) return `no Slurm cluster here (${SLURM_CONF} does not exist; start one with scripts/slurm-cluster.sh start)`;
  const r = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8', env: { ...process.env, SLURM_CONF }, timeout: 15_000 });
  if (r.error !== undefined) return `Slurm's sinfo cannot run: ${r.error.message}`;
  if (r.status !== 0) return `Slurm does not answer: ${r.stderr.trim()}`;
  if (!/^(idle|mix|alloc)/m.test(r.stdout)) return `the Slurm node is not up (${r.stdout.trim() || 'no node'})`;
  return undefined;
}

/** Skip option for node:test: the reason is printed with the skipped test. */
export const needsCluster = { skip: clusterUnavailable() ?? false, timeout: 120_000 };

export interface SlurmWorld {
  /** The environment `ltx` runs in: SLURM_CONF, and PATH starting with the sbatch wrapper. */
  env: Record<string, string>;
  /** sbatch calls so far (each one line of arguments). */
  sbatchCalls(): string[];
}

/** A wrapper directory under `dir` whose sbatch logs each call, then runs the real one. */
export function countingSbatch(dir: string): SlurmWorld {
  const bin = join(dir, 'bin');
  const log = join(dir, 'sbatch.log');
  mkdirSync(bin, { recursive: true });
  const real = spawnSync('sh', ['-c', 'command -v sbatch'], { encoding: 'utf8' }).stdout.trim();
  writeFileSync(join(bin, 'sbatch'), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${real}' "$@"\n`);
  chmodSync(join(bin, 'sbatch'), 0o755);
  return {
    env: { ...ltxEnv, SLURM_CONF, PATH: `${bin}:${process.env['PATH']}` } as Record<string, string>,
    sbatchCalls: () => existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [],
  };
}

/** Polls `probe` until it returns something other than undefined (the test's own timeout bounds it). */
export async function waitFor<T>(probe: () => T | undefined, everyMs = 100): Promise<T> {
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    await sleep(everyMs);
  }
}

/** Slurm's state of job `id` (`RUNNING`, `CANCELLED`, …), or undefined when it does not know it. */
export function jobState(id: string): string | undefined {
  const r = spawnSync('squeue', ['-h', '-t', 'all', '-j', id, '-o', '%T'], { encoding: 'utf8', env: { ...process.env, SLURM_CONF } });
  return r.status === 0 ? r.stdout.trim() || undefined : undefined;
}

/** Settings that keep test jobs small and polling brisk on the one-node cluster. */
export const TEST_SLURM_FLAGS = ['--slurm', 'cpus=1', '--slurm', 'mem=500M', '--slurm', 'poll=0.2'];

/** TINY's dataset, model, init and optimizer, for programs of their own. */
export const TINY_SETUP = TINY.split('\n').slice(0, 4).join('\n') + '\n';

/** The id of the job recorded for stage `key` in `cache` once Slurm runs it (undefined until then). */
export function runningJobOf(cache: string, key: string): string | undefined {
  const path = join(cache, 'slurm', 'jobs', `${key}.json`);
  if (!existsSync(path)) return undefined;
  const id = (JSON.parse(readFileSync(path, 'utf8')) as { jobId: string }).jobId;
  return jobState(id) === 'RUNNING' ? id : undefined;
}
