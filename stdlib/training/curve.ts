// A run's training curve, recorded as it trains: every `every` steps a point with the mean loss of those
// steps and the learning rate of the last of them, and one after the recipe's last step for the steps
// left. every = max(1, ⌈steps / MAX_CURVE_POINTS⌉), so a curve has at most MAX_CURVE_POINTS + 1 points
// however long the run. The curve travels in the run's loss history from segment to segment, with the
// steps since its last point, so the checkpoint at step s carries the curve up to s — the same numbers
// whatever splits the run has (a split run's losses are the unsplit run's bits).
import type { TrainingCurve } from '../../core/artifacts.ts';

export const MAX_CURVE_POINTS = 500;

/** The steps between two points of the curve of a recipe `steps` long. */
export function curveInterval(steps: number): number {
  return Math.max(1, Math.ceil(steps / MAX_CURVE_POINTS));
}

export interface CurveOptions {
  /** The recipe's last step. */
  steps: number;
  /** The learning rate of a step (the schedule's, a pure function of the step). */
  learningRateAt(step: number): number;
  /** The curve so far, when this segment continues its run. */
  resumed?: TrainingCurve;
}

export class CurveRecorder {
  readonly #curve: TrainingCurve;
  readonly #steps: number;
  readonly #learningRateAt: (step: number) => number;

  constructor(options: CurveOptions) {
    this.#steps = options.steps;
    this.#learningRateAt = options.learningRateAt;
    this.#curve = options.resumed === undefined
      ? { every: curveInterval(options.steps), step: [], loss: [], lr: [], pending: { sum: 0, steps: 0 } }
      : copyOf(options.resumed);
  }

  /** The loss of step `step` (the update from step to step + 1); steps come in order. */
  observe(step: number, loss: number): void {
    const curve = this.#curve;
    curve.pending.sum += loss;
    curve.pending.steps += 1;
    const done = step + 1;
    if (done % curve.every !== 0 && done !== this.#steps) return;
    curve.step.push(done);
    curve.loss.push(curve.pending.sum / curve.pending.steps);
    curve.lr.push(this.#learningRateAt(step));
    curve.pending = { sum: 0, steps: 0 };
  }

  get curve(): TrainingCurve {
    return copyOf(this.#curve);
  }
}

function copyOf(curve: TrainingCurve): TrainingCurve {
  return { every: curve.every, step: [...curve.step], loss: [...curve.loss], lr: [...curve.lr], pending: { ...curve.pending } };
}
