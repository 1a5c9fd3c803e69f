// What Slurm's word on a job that left no exit-code file means for its stage.
import assert from 'node:assert/strict';
import test from 'node:test';
import { parseSacct, parseSqueue, verdictOf, type JobSighting, type VerdictContext } from '../../runtime/executors/slurm/job-states.ts';

const context: VerdictContext = { requeueCancelled: false, time: '0:30:00', mem: '2G', log: '/c/slurm/logs/7.out' };
const job = (state: string, reason = 'None'): JobSighting => ({ id: '7', state, reason, node: 'n1', elapsed: '0:03' });

test('squeue lines become sightings, one per array task', () => {
  assert.deepEqual(parseSqueue('7|COMPLETED|None|vm|0:01\n8_0|RUNNING|None|vm|0:00\n8_1|PENDING|Resources||0:00\n'), [
    { id: '7', state: 'COMPLETED', reason: 'None', node: 'vm', elapsed: '0:01' },
    { id: '8_0', state: 'RUNNING', reason: 'None', node: 'vm', elapsed: '0:00' },
    { id: '8_1', state: 'PENDING', reason: 'Resources', node: '', elapsed: '0:00' },
  ]);
});

test('sacct states lose their suffixes: "CANCELLED by 0" is CANCELLED', () => {
  assert.deepEqual(parseSacct('9|CANCELLED by 0|vm|00:00:02\n'), [{ id: '9', state: 'CANCELLED', reason: '', node: 'vm', elapsed: '00:00:02' }]);
});

test('queued, running and completing jobs are waited for', () => {
  for (const state of ['PENDING', 'RUNNING', 'COMPLETING', 'CONFIGURING', 'REQUEUED', 'SUSPENDED']) assert.deepEqual(verdictOf(job(state), context), { verdict: 'ongoing' }, state);
});

test('a preempted or node-failed job is submitted again, counting against the requeue limit', () => {
  assert.deepEqual(verdictOf(job('PREEMPTED'), context), { verdict: 'again', why: 'Slurm job 7 was preempted', counts: true });
  assert.deepEqual(verdictOf(job('NODE_FAIL'), context), { verdict: 'again', why: 'Slurm job 7 lost its node (NODE_FAIL)', counts: true });
});

test('a timeout or running out of memory fails the stage, with the limit it asked for in words', () => {
  const timeout = verdictOf(job('TIMEOUT'), context);
  assert.equal(timeout.verdict, 'failed');
  assert.match((timeout as { error: string }).error, /^Slurm job 7 reached its time limit \(0:30:00\) and was stopped; give this kind of stage more time/);
  const oom = verdictOf(job('OUT_OF_MEMORY'), context);
  assert.match((oom as { error: string }).error, /^Slurm job 7 ran out of memory \(it asked for 2G\) and was killed/);
});

test('a job cancelled outside ltx fails its stage, or is submitted again when requeue-cancelled is set', () => {
  assert.deepEqual(verdictOf(job('CANCELLED'), context), { verdict: 'failed', error: 'Slurm job 7 was cancelled outside ltx (scancel)' });
  assert.deepEqual(verdictOf(job('CANCELLED'), { ...context, requeueCancelled: true }), { verdict: 'again', why: 'Slurm job 7 was cancelled outside ltx', counts: true });
});

test('a job whose dependency can never be met is submitted again without counting (its parent was done again)', () => {
  for (const state of ['PENDING', 'CANCELLED']) {
    assert.deepEqual(verdictOf(job(state, 'DependencyNeverSatisfied'), context), { verdict: 'again', why: 'Slurm job 7 waited on a job that will never succeed', counts: false });
  }
});

test('a failed job without an exit-code file points at its output; a completed one asks for another look', () => {
  assert.deepEqual(verdictOf(job('FAILED', 'NonZeroExitCode'), context), {
    verdict: 'failed', error: 'Slurm job 7 failed (NonZeroExitCode) before ltx could record why; its output: /c/slurm/logs/7.out',
  });
  assert.deepEqual(verdictOf(job('COMPLETED'), context), { verdict: 'no-exit-file' });
});
