// The Slurm executor's commands where no cluster is needed: `ltx exec-stage` (what a job runs) when the
// cache it was given is not the controller's, and `ltx run --executor slurm` where Slurm is missing.
import assert from 'node:assert/strict';
import test from 'node:test';
import { dirname } from 'node:path';
import { ltx, workspace } from '../cli/helpers.ts';

test('exec-stage on a node that does not see the stage description exits 3 asking whether the cache is shared', () => {
  const { cache } = workspace();
  const key = 'ab'.repeat(32);
  const r = ltx(['exec-stage', '--cache', cache, key], undefined, { SLURM_JOB_ID: '77' });
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, new RegExp(`no stage description for \\{"key":"${key}"\\} under ${cache}/slurm: is the cache on a filesystem this node shares with the controller\\?`));
});

test('exec-stage needs --cache and either a KEY or --tasks inside an array job', () => {
  assert.match(ltx(['exec-stage', 'ab']).stderr, /ltx exec-stage: --cache DIR is required/);
  assert.match(ltx(['exec-stage', '--cache', 'c']).stderr, /expected a stage KEY or --tasks LIST/);
  assert.match(ltx(['exec-stage', '--cache', 'c', '../../etc/passwd']).stderr, /'..\/..\/etc\/passwd' is not a stage key/);
  const tasks = ltx(['exec-stage', '--cache', 'c', '--tasks', 'list'], undefined, { SLURM_ARRAY_TASK_ID: '' });
  assert.equal(tasks.status, 2);
  assert.match(tasks.stderr, /--tasks needs SLURM_ARRAY_TASK_ID/);
});

test('run --executor slurm where Slurm\'s commands are missing says so and computes nothing (exit status 1)', () => {
  const { file, cache } = workspace();
  const r = ltx(['run', file, '--executor', 'slurm', '--cache', cache], undefined, { PATH: dirname(process.execPath) });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^ltx: the slurm executor cannot start: scontrol is not on PATH: is this a Slurm login node \(or is Slurm's client installed\)\?$/m);
});
