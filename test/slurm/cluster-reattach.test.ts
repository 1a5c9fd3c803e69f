// Surviving the controller: a killed `ltx run` re-attaches to its jobs (none submitted twice), `--detach`
// leaves the DAG to Slurm and `ltx status` follows it, a job cancelled outside ltx fails its stage, and
// Ctrl-C cancels the run's jobs.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { BIN, TINY, workspace } from '../cli/helpers.ts';
import { countingSbatch, jobState, needsCluster, runningJobOf, TEST_SLURM_FLAGS, TINY_SETUP, waitFor } from './cluster.ts';

type RunDoc = { stages: { id: string; name: string; status: string; error?: string }[]; failed: number };

/** A training run far too long to finish during a test (it is cancelled), beside a quick probe. */
const LONG = `${TINY_SETUP}train long = fit(w0, data: d.train, optimizer: opt, steps: 500000 steps, order: 0)
probe after_long = accuracy(long, on: d.test)
probe before = accuracy(w0, on: d.test)
`;

function run(env: Record<string, string>, args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd, env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function jobRecords(cache: string): Map<string, string> {
  const dir = join(cache, 'slurm', 'jobs');
  const files = existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.json')) : [];
  return new Map(files.map((name) => [name.slice(0, -'.json'.length), JSON.parse(readFileSync(join(dir, name), 'utf8')).jobId as string]));
}

function stageKeyOf(env: Record<string, string>, file: string, cache: string, name: string, cwd: string): string {
  const plan = JSON.parse(run(env, ['plan', file, '--json', '--cache', cache], cwd).stdout) as { stages: { id: string; name: string }[] };
  return plan.stages.find((s) => s.name === name)!.id;
}

/** Starts `ltx run --executor slurm` in the background; resolves with its exit status and output. */
function startRun(env: Record<string, string>, file: string, cache: string, cwd: string, more: string[] = []) {
  const child = spawn(process.execPath, [BIN, 'run', file, '--json', '--executor', 'slurm', '--cache', cache, ...TEST_SLURM_FLAGS, ...more], { cwd, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const ended = new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  return { child, ended };
}

test('a controller killed with SIGKILL mid-run is started again and re-attaches: no stage is submitted twice', needsCluster, async () => {
  const { dir, file, cache } = workspace(TINY);
  const world = countingSbatch(dir);
  const first = startRun(world.env, file, cache, dir);
  await waitFor(() => jobRecords(cache).size >= 2 ? true : undefined, 20);
  first.child.kill('SIGKILL');
  assert.equal((await first.ended).signal, 'SIGKILL');

  const again = run(world.env, ['run', file, '--json', '--executor', 'slurm', '--cache', cache, ...TEST_SLURM_FLAGS], dir);
  assert.equal(again.status, 0, again.stderr);
  const doc: RunDoc = JSON.parse(again.stdout);
  assert.ok(doc.stages.every((s) => s.status === 'done' || s.status === 'cached'), again.stdout);
  // Every sbatch call made exactly one job still on record: had a stage been submitted again, its first
  // job would have left the records while its sbatch call stayed counted.
  const records = jobRecords(cache);
  assert.equal(records.size, doc.stages.length);
  const submittedJobs = new Set([...records.values()].map((id) => id.split('_')[0]));
  assert.equal(world.sbatchCalls().length, submittedJobs.size, world.sbatchCalls().join('\n'));
});

test('--detach submits the whole DAG and exits; ltx status follows it; a later run collects it without submitting', needsCluster, async () => {
  const { dir, file, cache } = workspace(TINY);
  const world = countingSbatch(dir);
  const detached = run(world.env, ['run', file, '--executor', 'slurm', '--detach', '--cache', cache, ...TEST_SLURM_FLAGS], dir);
  assert.equal(detached.status, 0, detached.stderr);
  assert.match(detached.stdout, /^submitted dense 0→10: job \d+$/m);
  assert.match(detached.stdout, /9 stages: 0 cached, 9 submitted, 0 already queued/);
  assert.equal(world.sbatchCalls().length, 9);
  assert.ok(world.sbatchCalls().some((call) => /--dependency=afterok:\d+/.test(call) && call.includes('--kill-on-invalid-dep=yes')));

  const text = run(world.env, ['status', file, '--cache', cache], dir);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^STAGE +KIND +STATUS +JOB +NODE +ELAPSED +DETAIL$/m);
  assert.match(text.stdout, /^dense 10→40 +train +(queued|running|done) +\d+ /m);
  await waitFor(() => {
    const doc = JSON.parse(run(world.env, ['status', file, '--json', '--cache', cache], dir).stdout) as { stages: { status: string; job?: string }[] };
    assert.ok(doc.stages.every((s) => s.status !== 'failed' && s.job !== undefined), JSON.stringify(doc));
    return doc.stages.every((s) => s.status === 'done') ? true : undefined;
  }, 500);

  const collect = run(world.env, ['run', file, '--json', '--executor', 'slurm', '--cache', cache, ...TEST_SLURM_FLAGS], dir);
  assert.equal(collect.status, 0, collect.stderr);
  assert.deepEqual((JSON.parse(collect.stdout) as RunDoc).stages.map((s) => s.status), Array(9).fill('cached'));
  assert.equal(world.sbatchCalls().length, 9);
});

test('a job cancelled with scancel from outside fails its stage with that cause, and only its descendants', needsCluster, async () => {
  const { dir, file, cache } = workspace(LONG);
  const world = countingSbatch(dir);
  const long = stageKeyOf(world.env, file, cache, 'long', dir);
  const running = startRun(world.env, file, cache, dir);
  const job = await waitFor(() => runningJobOf(cache, long));
  spawnSync('scancel', [job], { env: world.env });
  const ended = await running.ended;
  assert.equal(ended.status, 1, ended.stderr);
  const status = Object.fromEntries((JSON.parse(ended.stdout) as RunDoc).stages.map((s) => [s.name, s]));
  assert.deepEqual([status['long']!.status, status['long']!.error], ['failed', `Slurm job ${job} was cancelled outside ltx (scancel)`]);
  assert.deepEqual([status['after_long']!.status, status['before']!.status], ['skipped', 'done']);
});

test('Ctrl-C stops the run and cancels its jobs on Slurm, also those submitted ahead (order=afterok)', needsCluster, async () => {
  const { dir, file, cache } = workspace(LONG);
  const world = countingSbatch(dir);
  const long = stageKeyOf(world.env, file, cache, 'long', dir);
  const running = startRun(world.env, file, cache, dir, ['--slurm', 'order=afterok']);
  const job = await waitFor(() => runningJobOf(cache, long));
  const waiting = jobRecords(cache).get(stageKeyOf(world.env, file, cache, 'after_long', dir))!;
  assert.equal(jobState(waiting), 'PENDING');
  running.child.kill('SIGINT');
  const ended = await running.ended;
  assert.equal(ended.status, 130, ended.stderr);
  const settled = (id: string) => waitFor(() => ['RUNNING', 'COMPLETING', 'PENDING'].includes(jobState(id) ?? '') ? undefined : jobState(id));
  assert.deepEqual([await settled(job), await settled(waiting)], ['CANCELLED', 'CANCELLED']);
});
