// Diverged training as the store records it: a train stage's record carries its run's loss history as
// metrics (`loss_start`, `loss_end` and, while the run is diverged, `diverged_at`), so `ltx run` and
// `ltx results` can say so without reading checkpoints. The rule itself: stdlib/training/divergence.ts.
import type { LossHistory } from '../core/artifacts.ts';
import type { JsonObject } from './store/index.ts';

/** A run whose training had diverged as of a checkpoint. */
export interface Divergence {
  /** The step since which its smoothed loss has stayed above the threshold. */
  step: number;
  /** The loss of its first step. */
  loss_start: number;
  /** The mean loss of the last steps before the checkpoint. */
  loss_end: number;
}

/** A train stage's record metrics. */
export function lossMetrics(history: LossHistory): JsonObject {
  const metrics: JsonObject = { loss_start: history.initial, loss_end: history.recent };
  if (history.divergedAt !== undefined) metrics['diverged_at'] = history.divergedAt;
  return metrics;
}

/** The divergence a record's metrics state; undefined for a run that has not diverged, or another stage. */
export function divergenceOf(metrics: JsonObject | undefined): Divergence | undefined {
  const step = metrics?.['diverged_at'];
  const start = metrics?.['loss_start'];
  const end = metrics?.['loss_end'];
  if (typeof step !== 'number' || typeof start !== 'number' || typeof end !== 'number') return undefined;
  return { step, loss_start: start, loss_end: end };
}

export function describeDivergence(d: Divergence): string {
  return `training diverged at step ${d.step} (loss ${fourDigits(d.loss_start)} at the start, ${fourDigits(d.loss_end)} at the end)`;
}

function fourDigits(value: number): string {
  return String(Number(value.toPrecision(4)));
}
