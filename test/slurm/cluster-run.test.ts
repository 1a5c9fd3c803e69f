// Real programs through a real one-node Slurm cluster: the same results as the local executor, a
// failure confined to its descendants, and nothing of a program or a setting ever reaching a shell.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { BIN, FAILING_BRANCH, ltx, TINY, workspace } from '../cli/helpers.ts';
import { countingSbatch, needsCluster, TEST_SLURM_FLAGS, TINY_SETUP } from './cluster.ts';

/** IMP, one level, with the random-reinit control: 12 stages on 7 levels. */
const IMP = `${TINY_SETUP}train dense = fit(w0, data: d.train, optimizer: opt, steps: 30 steps, order: 0)
lottery ticket = imp(dense, rounds: 1, rate: 50%, rewind: 5 steps)
probe acc = accuracy(ticket, on: d.test)
control reinit = fit(reinit(w0, mask: ticket[1], seed: 1), like: dense)
probe ctrl = accuracy(reinit, on: d.test)
`;

type RunDoc = { stages: { id: string; name: string; status: string; error?: string }[]; failed: number };

function ltxIn(env: Record<string, string>, args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd, env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a small IMP with controls gives on Slurm exactly the local executor\'s results, from a directory whose name would be a shell injection', needsCluster, () => {
  const { dir } = workspace(IMP);
  const hostile = join(dir, `it's "q" $(touch PWNED1) ; \`touch PWNED2\` %j & | x`);
  mkdirSync(hostile);
  const file = join(hostile, '$(touch PWNED3);x.ltx');
  writeFileSync(file, IMP);
  const world = countingSbatch(dir);

  const local = ltx(['run', file, '--json', '--cache', join(dir, 'local'), '-j', '1'], dir);
  assert.equal(local.status, 0, local.stderr);
  const slurm = ltxIn(world.env, ['run', file, '--json', '--executor', 'slurm', '--cache', join(hostile, 'cache'), ...TEST_SLURM_FLAGS,
    '--slurm', 'extra=--comment=$(touch PWNED4) `touch PWNED5`'], hostile);
  assert.equal(slurm.status, 0, slurm.stderr + slurm.stdout);
  const doc: RunDoc = JSON.parse(slurm.stdout);
  assert.deepEqual(doc.stages.map((s) => s.status), doc.stages.map(() => 'done'));

  const results = (cache: string) => {
    const r = ltx(['results', file, '--json', '--cache', cache], dir);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout).probes;
  };
  assert.deepEqual(results(join(hostile, 'cache')), results(join(dir, 'local')));
  assert.ok(world.sbatchCalls().length > 0);
  for (const where of [dir, hostile, process.cwd()]) assert.deepEqual(readdirSync(where).filter((name) => name.startsWith('PWNED')), [], where);
});

test('with order=afterok every stage is submitted at the start, and a failing stage fails only its descendants (exit 1, naming the cause)', needsCluster, () => {
  const { dir, file, cache } = workspace(TINY + FAILING_BRANCH);
  const world = countingSbatch(dir);
  const r = ltxIn(world.env, ['run', file, '--json', '--executor', 'slurm', '--cache', cache, ...TEST_SLURM_FLAGS, '--slurm', 'order=afterok'], dir);
  assert.equal(r.status, 1, r.stderr);
  const status = Object.fromEntries((JSON.parse(r.stdout) as RunDoc).stages.map((s) => [s.name, s]));
  assert.equal(status['broken']!.status, 'failed');
  assert.match(status['broken']!.error!, /loss became \w+ at step \d+/);
  assert.deepEqual([status['broken_acc']!.status, status['broken_acc']!.error], ['skipped', "'broken' failed"]);
  for (const name of ['w0', 'w1', 'dense 0→10', 'm', 't', 'acc', 'acct', 'kept']) assert.equal(status[name]!.status, 'done', name);
  assert.match(r.stderr, /^queued {3}broken: job \d+$/m);
  // One job per stage, all submitted before the first result: Slurm kept the order (and cancelled broken_acc's job).
  const calls = world.sbatchCalls();
  assert.equal(calls.length, 12);
  assert.ok(calls.every((call) => !call.includes('--array')));
  assert.equal(calls.filter((call) => call.includes('--dependency=afterok:')).length, 10); // all but the two inits
  assert.ok(existsSync(join(cache, 'slurm', 'exits')));
});
