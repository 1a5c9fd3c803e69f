// The divergence rule (stdlib/training/divergence.ts): the smoothed loss S (S += 0.1·(loss − S), from
// the first step's loss L0) above 10·L0 since step d and still above means the run diverged at step d.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LossHistory } from '../../core/artifacts.ts';
import { DivergenceWatch } from '../../stdlib/training/divergence.ts';

function watched(losses: number[], from = 0, resumed?: LossHistory): LossHistory {
  const watch = new DivergenceWatch(resumed);
  losses.forEach((loss, i) => watch.observe(from + i, loss));
  return watch.history!;
}

test('a loss that explodes and stays up diverges at the step the smoothed loss crossed 10× the first', () => {
  // S: 2, then 2 + 0.1·48 = 6.8 (below 20), then 6.8 + 0.1·293.2 = 36.12 (above): step 2.
  const history = watched([2, 50, 300, 300, 300, 300]);
  assert.equal(history.initial, 2);
  assert.equal(history.divergedAt, 2);
  assert.ok(history.smoothed > 20);
});

test('a spike the smoothed loss comes back from is not divergence', () => {
  const spike = [2, 300, ...Array<number>(30).fill(2)];
  assert.equal(watched(spike.slice(0, 2)).divergedAt, 1, 'diverged while the spike lasts');
  const history = watched(spike);
  assert.equal(history.divergedAt, undefined);
  assert.ok(history.smoothed < 20);
});

test('a run whose loss falls, or that starts at loss 0, never diverges', () => {
  assert.equal(watched([2.3, 2.1, 1.5, 0.9, 0.4, 0.2]).divergedAt, undefined);
  assert.equal(watched([0, 1e-6, 1e-3, 1]).divergedAt, undefined);
});

test('the loss at the end is the plain mean of the last 10 steps', () => {
  const losses = [2, 1e6, ...Array.from({ length: 10 }, (_, i) => 400 + i)];
  assert.equal(watched(losses).recent, 404.5);
  assert.equal(watched([3, 5]).recent, 4);
});

test('a run split into segments that resume its history ends with the unsplit run\'s history', () => {
  const losses = [2.5, 4, 9, 40, 200, 180, 260, 300, 150, 400, 350, 330, 20, 10, 900, 800];
  const whole = watched(losses);
  const first = watched(losses.slice(0, 5));
  const resumed = watched(losses.slice(5), 5, first);
  assert.deepEqual(
    { initial: resumed.initial, smoothed: resumed.smoothed, divergedAt: resumed.divergedAt },
    { initial: whole.initial, smoothed: whole.smoothed, divergedAt: whole.divergedAt },
  );
  assert.equal(typeof whole.divergedAt, 'number');
});
