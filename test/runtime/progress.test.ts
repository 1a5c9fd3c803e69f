// What a run shows: plain lines for logs and pipes, bars redrawn in place on a terminal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BarProgress, formatSeconds, LineProgress } from '../../runtime/progress.ts';
import type { StageReport } from '../../runtime/scheduler.ts';
import { makeStage } from './helpers.ts';

const plain = { green: (s: string) => s, red: (s: string) => s, yellow: (s: string) => s, dim: (s: string) => s };

function sink(columns?: number) {
  const writes: string[] = [];
  return { writes, columns, write: (text: string) => { writes.push(text); return true; } };
}

const report = (name: string, status: StageReport['status'], extra: Partial<StageReport> = {}): StageReport =>
  ({ key: makeStage(name, 'source').key, name, status, seconds: 0, ...extra });

test('plain progress: one greppable line per event; results found in the cache before the run stay quiet', () => {
  const out = sink();
  const view = new LineProgress(out, plain);
  const dense = makeStage('dense 0→24', 'source');
  const mask = makeStage('m', 'source');
  view.started(dense);
  view.settled(dense, report('dense 0→24', 'done', { seconds: 1.234 }), false);
  view.started(mask);
  view.settled(mask, report('m', 'failed', { error: 'loss became NaN at step 3' }), false);
  view.settled(makeStage('t', 'source'), report('t', 'skipped', { error: "'m' failed" }), false);
  view.settled(makeStage('old', 'source'), report('old', 'cached'), false);
  view.settled(makeStage('theirs', 'source'), report('theirs', 'cached'), true);
  view.settled(makeStage('never', 'source'), report('never', 'interrupted'), false);
  assert.deepEqual(out.writes.join('').split('\n'), [
    'started  dense 0→24',
    'done     dense 0→24 (1.2 s)',
    'started  m',
    'failed   m: loss became NaN at step 3',
    "skipped  t: 'm' failed",
    'reused   theirs (computed by another run)',
    '',
  ]);
});

test('plain progress: a computed segment of a run that diverged is followed by a warning with the step and the losses', () => {
  const out = sink();
  const view = new LineProgress(out, plain);
  const dense = makeStage('dense 0→30', 'source');
  view.started(dense);
  view.settled(dense, report('dense 0→30', 'done', { seconds: 0.4, metrics: { loss_start: 2.5949, loss_end: 465.85, diverged_at: 1 } }), false);
  const healthy = makeStage('other', 'source');
  view.started(healthy);
  view.settled(healthy, report('other', 'done', { seconds: 0.4, metrics: { loss_start: 2.5, loss_end: 0.2 } }), false);
  assert.deepEqual(out.writes.join('').split('\n'), [
    'started  dense 0→30',
    'done     dense 0→30 (0.4 s)',
    'warning  dense 0→30: training diverged at step 1 (loss 2.595 at the start, 465.9 at the end)',
    'started  other',
    'done     other (0.4 s)',
    '',
  ]);
});

test('bars: a started stage gets a line, which its final line replaces in place', () => {
  const out = sink(120);
  let now = 0;
  const view = new BarProgress(out, plain, () => now);
  const dense = makeStage('dense', 'source');
  view.started(dense);
  now = 1000;
  view.progress(dense, { step: 10, total: 110, loss: 0.5 });
  now = 3000;
  view.progress(dense, { step: 30, total: 110, loss: 0.25 });
  view.settled(dense, report('dense', 'done', { seconds: 3 }), false);
  view.close();
  const text = out.writes.join('');
  // Progress is redrawn on a timer; settling draws at once, erasing the bar it replaces.
  assert.match(text, /^dense +running 0\.0 s\n/);
  assert.ok(text.includes('\u001b[1A\u001b[0Jdone     dense (3.0 s)\n'), JSON.stringify(text));
});

test('bars: step/total, loss, and an ETA from the rate measured since the first report', () => {
  const out = sink(120);
  let now = 0;
  const view = new BarProgress(out, plain, () => now);
  const dense = makeStage('dense', 'source');
  view.started(dense);
  now = 1000;
  view.progress(dense, { step: 10, total: 110, loss: 0.5 });
  now = 3000;
  view.progress(dense, { step: 30, total: 110, loss: 0.25 });
  view.note('a note');
  view.close();
  const text = out.writes.join('');
  // 20 steps in 2 s → 80 left take 8 s.
  assert.match(text, /dense +█{5}░{15} 30\/110 {2}loss 0\.2500 {2}ETA 8\.0 s\n/);
  assert.match(text, /\u001b\[1A\u001b\[0Ja note\n/);
});

test('durations read as people say them', () => {
  assert.equal(formatSeconds(1.25), '1.3 s');
  assert.equal(formatSeconds(42.4), '42 s');
  assert.equal(formatSeconds(600), '10 min 0 s');
  assert.equal(formatSeconds(3 * 3600 + 120), '3 h 2 min');
});
