// The training curve (stdlib/training/curve.ts): a point every ⌈steps / 500⌉ steps with the mean loss of
// those steps and the learning rate of the last of them, one more after the last step, and the same
// points whatever splits the run has.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TrainingCurve } from '../../core/artifacts.ts';
import { CurveRecorder, MAX_CURVE_POINTS, curveInterval } from '../../stdlib/training/curve.ts';

/** A learning rate that says which step it belongs to. */
const lrAt = (step: number): number => 1 / (step + 1);

function recorded(steps: number, losses: (step: number) => number, from = 0, to = steps, resumed?: TrainingCurve): TrainingCurve {
  const recorder = new CurveRecorder({ steps, learningRateAt: lrAt, resumed });
  for (let t = from; t < to; t++) recorder.observe(t, losses(t));
  return recorder.curve;
}

test('a short run gets a point after every step: its loss and its learning rate', () => {
  const curve = recorded(3, (t) => [4, 3, 2][t]!);
  assert.deepEqual(curve, { every: 1, step: [1, 2, 3], loss: [4, 3, 2], lr: [1, 1 / 2, 1 / 3], pending: { sum: 0, steps: 0 } });
});

test('a long run gets a point every ⌈steps / 500⌉ steps, with the mean loss since the previous one, and a last one for the rest', () => {
  assert.equal(curveInterval(1001), 3);
  const curve = recorded(1001, (t) => t);
  assert.equal(curve.every, 3);
  assert.deepEqual(curve.step.slice(0, 2), [3, 6]);
  assert.deepEqual(curve.loss.slice(0, 2), [1, 4], 'the mean of steps 0, 1, 2, then of 3, 4, 5');
  assert.deepEqual(curve.lr.slice(0, 2), [lrAt(2), lrAt(5)]);
  assert.deepEqual([curve.step.at(-2), curve.step.at(-1)], [999, 1001]);
  assert.equal(curve.loss.at(-1), 999.5, 'the last two steps, 999 and 1000');
  assert.equal(curve.step.length, 334);
});

test('however long the run, the curve has at most 500 points and one for the rest', () => {
  for (const steps of [500, 501, 99_999, 1_000_000]) {
    const points = recorded(steps, () => 1).step.length;
    assert.ok(points <= MAX_CURVE_POINTS + 1, `${steps} steps: ${points} points`);
  }
});

test('a run split anywhere, even inside an interval, records the curve of the unsplit run', () => {
  const losses = (t: number): number => Math.exp(-t / 300) + 0.01 * Math.sin(t);
  const whole = recorded(2000, losses);
  for (const splits of [[7], [1000], [3, 998, 1999]]) {
    let curve: TrainingCurve | undefined;
    const bounds = [0, ...splits, 2000];
    for (let i = 1; i < bounds.length; i++) curve = recorded(2000, losses, bounds[i - 1], bounds[i], curve);
    assert.deepEqual(curve, whole, `split at ${splits.join(', ')}`);
  }
});

test('a segment ending inside an interval carries the steps since the last point, not a point', () => {
  const curve = recorded(2000, () => 2, 0, 5);
  assert.equal(curve.every, 4);
  assert.deepEqual(curve.step, [4]);
  assert.deepEqual(curve.pending, { sum: 2, steps: 1 });
});
