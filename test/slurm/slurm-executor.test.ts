// The Slurm executor's decisions, against a scripted Slurm (no cluster needed): arrays for stages ready
// together, requeueing lost jobs up to the limit, adopting recorded jobs, cancelling on abort.
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import test from 'node:test';
import type { Stage } from '../../core/stage.ts';
import type { StageOutcome } from '../../runtime/executors/executor.ts';
import { SlurmFiles } from '../../runtime/executors/slurm/job-files.ts';
import type { JobSighting } from '../../runtime/executors/slurm/job-states.ts';
import { sightJobs, type SlurmClient } from '../../runtime/executors/slurm/job-watch.ts';
import { defaultSettings } from '../../runtime/executors/slurm/resources.ts';
import { SlurmExecutor } from '../../runtime/executors/slurm/slurm-executor.ts';
import { JobSubmitter } from '../../runtime/executors/slurm/submit.ts';
import { freshDir, makeStage } from '../runtime/helpers.ts';

/** A pretend cluster: each submitted job (or array task) ends as `fate` says, in one poll. */
class ScriptedSlurm implements SlurmClient {
  readonly submissions: string[][] = [];
  readonly cancelled: string[] = [];
  readonly states = new Map<string, JobSighting>();
  #next = 100;

  readonly files: SlurmFiles;
  readonly fate: (key: string, attempt: number) => string;

  constructor(files: SlurmFiles, fate: (key: string, attempt: number) => string) {
    this.files = files;
    this.fate = fate;
  }

  sbatch = async (args: readonly string[]): Promise<string> => {
    this.submissions.push([...args]);
    const id = String(this.#next++);
    const array = args.find((a) => a.startsWith('--array='));
    const keys = array === undefined ? [args.at(-1)!] : await this.#arrayKeys(args.at(-1)!);
    // The job ids are known once sbatch returns: settle each job right after its record is written.
    setTimeout(() => void this.#settle(keys, array === undefined ? [id] : keys.map((_, i) => `${id}_${i}`)), 20);
    return id;
  };

  async #arrayKeys(list: string): Promise<string[]> {
    const keys: string[] = [];
    for (let i = 0; ; i++) {
      const key = await this.files.arrayKey(list, i);
      if (key === undefined) return keys;
      keys.push(key);
    }
  }

  async #settle(keys: string[], ids: string[]): Promise<void> {
    for (const [i, key] of keys.entries()) {
      const attempt = this.submissions.filter((args) => args.includes(key) || args.some((a) => a.startsWith('--array='))).length;
      const state = this.fate(key, attempt);
      const id = ids[i]!;
      if (state === 'DONE') {
        const outcome: StageOutcome = { status: 'done', seconds: 0.1, metrics: { attempt } };
        await this.files.writeExit(key, { jobId: id, code: 0, outcome, host: hostname(), finishedAt: new Date().toISOString() });
        this.states.set(id, { id, state: 'COMPLETED', reason: 'None', node: 'n1', elapsed: '0:01' });
      } else {
        this.states.set(id, { id, state, reason: 'None', node: 'n1', elapsed: '0:01' });
      }
    }
  }

  squeue = async (ids: readonly string[]) => ids.flatMap((id) => this.states.get(id) ?? { id, state: 'PENDING', reason: 'Priority', node: '', elapsed: '0:00' });
  sacct = async () => [];
  scancel = async (ids: readonly string[]) => { this.cancelled.push(...ids); };
  maxArraySize = async (): Promise<number> => 1001;
}

async function setUp(fate: (key: string, attempt: number) => string, requeue = 2, arrayLimit = 1001) {
  const cacheRoot = await freshDir('ltx-slurm-exec-');
  const files = new SlurmFiles(cacheRoot);
  const slurm = new ScriptedSlurm(files, fate);
  slurm.maxArraySize = async () => arrayLimit;
  const settings = { ...defaultSettings(), requeue, pollMs: 10 };
  const submitter = new JobSubmitter({
    files, cacheRoot, settings, command: ['ltx'], runId: 'r1', sbatch: slurm.sbatch,
    spec: { programDir: cacheRoot, backend: 'cpu', deviceCacheBytes: 1 },
  });
  const executor = new SlurmExecutor({ files, submitter, slurm });
  await executor.start();
  return { executor, slurm, files };
}

const hooks = (signal = new AbortController().signal) => ({ signal, progress: () => undefined });
const probe = (name: string): Stage => makeStage(name, 'measure', { name });

test('stages of one kind that become ready together go to Slurm as one job array', async () => {
  const { executor, slurm } = await setUp(() => 'DONE');
  const stages = [probe('a'), probe('b'), probe('c'), makeStage('t', 'fit')];
  const outcomes = await Promise.all(stages.map((stage) => executor.run(stage, {}, hooks())));
  assert.deepEqual(outcomes.map((o) => o.status), ['done', 'done', 'done', 'done']);
  assert.equal(slurm.submissions.length, 2);
  const array = slurm.submissions.find((args) => args.includes('--array=0-2'));
  assert.ok(array, JSON.stringify(slurm.submissions));
  assert.ok(array.includes('--job-name=ltx-probe-x3'));
});

test('an array holds at most the cluster\'s MaxArraySize tasks: more stages make more arrays', async () => {
  const { executor, slurm } = await setUp(() => 'DONE', 2, 2);
  const outcomes = await Promise.all(['a', 'b', 'c'].map((name) => executor.run(probe(name), {}, hooks())));
  assert.deepEqual(outcomes.map((o) => o.status), ['done', 'done', 'done']);
  assert.deepEqual(slurm.submissions.map((args) => args.find((a) => a.startsWith('--array=')) ?? 'single').sort(), ['--array=0-1', 'single']);
});

test('one query per cycle: squeue for all jobs, accounting only for those squeue has forgotten', async () => {
  const asked: string[][] = [];
  const seen = await sightJobs(['1', '2', '3'], {
    squeue: async (ids) => { asked.push(['squeue', ...ids]); return [{ id: '1', state: 'RUNNING', reason: 'None', node: 'n', elapsed: '0:01' }]; },
    sacct: async (ids) => { asked.push(['sacct', ...ids]); return [{ id: '2', state: 'COMPLETED', reason: '', node: 'n', elapsed: '0:02' }]; },
  });
  assert.deepEqual(asked, [['squeue', '1', '2', '3'], ['sacct', '2', '3']]);
  assert.deepEqual([...seen.keys()].sort(), ['1', '2']);
});

test('a preempted stage is submitted again and its next job finishes it', async () => {
  const { executor, slurm } = await setUp((_, attempt) => attempt < 3 ? 'PREEMPTED' : 'DONE');
  const outcome = await executor.run(probe('a'), {}, hooks());
  assert.deepEqual(outcome, { status: 'done', seconds: 0.1, metrics: { attempt: 3 } });
  assert.equal(slurm.submissions.length, 3);
});

test('a stage lost more often than the requeue limit fails, saying why and how often', async () => {
  const { executor, slurm } = await setUp(() => 'NODE_FAIL', 1);
  const outcome = await executor.run(probe('a'), {}, hooks());
  assert.deepEqual(outcome, { status: 'failed', error: 'Slurm job 101 lost its node (NODE_FAIL), and the stage was submitted 2 times (the limit: requeue=1)' });
  assert.equal(slurm.submissions.length, 2);
});

test('a job that ran out of time fails its stage with the cause in words, without another submission', async () => {
  const { executor, slurm } = await setUp(() => 'TIMEOUT');
  const outcome = await executor.run(makeStage('t', 'fit'), {}, hooks());
  assert.equal(outcome.status, 'failed');
  assert.match((outcome as { error: string }).error, /^Slurm job 100 reached its time limit \(4:00:00\)/);
  assert.equal(slurm.submissions.length, 1);
});

test('a recorded job that is still queued is adopted, not submitted again', async () => {
  const { executor, slurm, files } = await setUp(() => 'DONE');
  const stage = probe('a');
  await files.prepare();
  await files.writeJob(stage.key, { jobId: '42', submittedAt: new Date().toISOString(), runId: 'r0', requeues: 0, log: '/l' });
  slurm.states.set('42', { id: '42', state: 'RUNNING', reason: 'None', node: 'n1', elapsed: '0:05' });
  const seen: string[] = [];
  const running = executor.run(stage, {}, { ...hooks(), submitted: (job) => seen.push(job) });
  setTimeout(() => {
    void files.writeExit(stage.key, { jobId: '42', code: 0, outcome: { status: 'done', seconds: 1, metrics: {} }, host: 'n1', finishedAt: '' });
  }, 50);
  assert.equal((await running).status, 'done');
  assert.deepEqual([slurm.submissions.length, seen], [0, ['42']]);
});

test('aborting a stage cancels its job', async () => {
  const { executor, slurm } = await setUp(() => 'RUNNING');
  const controller = new AbortController();
  const running = executor.run(probe('a'), {}, hooks(controller.signal));
  setTimeout(() => controller.abort(), 300);
  assert.deepEqual(await running, { status: 'aborted' });
  assert.deepEqual(slurm.cancelled, ['100']);
});

test('a job that Slurm calls completed but that left no exit-code file fails its stage, asking whether the cache is shared', async () => {
  const { executor } = await setUp(() => 'COMPLETED');
  const outcome = await executor.run(probe('a'), {}, hooks());
  assert.equal(outcome.status, 'failed');
  assert.match((outcome as { error: string }).error, /^Slurm job 100 ended without leaving its exit-code file in .*\/slurm: is the cache \(--cache\) on a filesystem that the nodes share with this machine\?/);
});
