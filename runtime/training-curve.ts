// Training curves as the store records them: a train stage's record carries its run's curve up to its
// checkpoint (`curve: {every, step, loss, lr}` among its metrics), so `ltx results` and `ltx report`
// show the curve of any run without reading checkpoints. How it is recorded: stdlib/training/curve.ts.
import type { TrainingCurve } from '../core/artifacts.ts';
import { isJsonObject, type JsonObject } from './store/json.ts';

/** A run's curve as `ltx results --json` gives it: point i after `step[i]` updates. */
export interface RunCurve {
  every: number;
  step: number[];
  loss: number[];
  lr: number[];
}

/** The record metric of a checkpoint's curve (the steps after its last point are the next segment's business). */
export function curveMetric(curve: TrainingCurve): JsonObject {
  return { every: curve.every, step: curve.step, loss: curve.loss, lr: curve.lr };
}

/** The curve a train stage's record metrics hold; undefined for another stage, or one an older ltx computed. */
export function recordedCurve(metrics: JsonObject | undefined): RunCurve | undefined {
  const curve = metrics?.['curve'];
  if (!isJsonObject(curve)) return undefined;
  const numbers = (value: unknown): value is number[] => Array.isArray(value) && value.every((v) => typeof v === 'number');
  const { every, step, loss, lr } = curve;
  if (typeof every !== 'number' || !numbers(step) || !numbers(loss) || !numbers(lr) || loss.length !== step.length || lr.length !== step.length) return undefined;
  return { every, step, loss, lr };
}
