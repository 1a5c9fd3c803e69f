// Diverging training: a learning rate far too large makes the loss explode to hundreds and stay there
// without ever becoming NaN, so the run finishes as if nothing happened (accuracy at chance). The rule,
// for a run followed from its first step (across segments as long as they resume its optimizer state):
//
//   L0 = the loss of the run's first step (its start weights on the first batch)
//   S  = the smoothed loss: S ← S + α·(loss_t − S) after every step t, α = 0.1 (about the last 10
//        steps), starting at L0
//   the run has diverged at step d when S went above k·L0 (k = 10) at step d and has stayed above since.
//
// The loss said to be "at the end" is the plain mean of the last 10 steps' losses (S keeps a huge early
// spike for long). A spike that S comes back from is not divergence; a run that ends below k·L0 has not diverged; a run
// that starts at loss 0 never diverges by this rule.
// Non-finite losses fail the stage before they get here (loss-monitor.ts).
import type { LossHistory } from '../../core/artifacts.ts';

/** k: how many times its initial loss a run's smoothed loss must exceed to have diverged. */
export const DIVERGENCE_FACTOR = 10;
/** α: the weight of a step's loss in the smoothed loss. */
export const LOSS_SMOOTHING = 0.1;

/** How many of the run's last steps the loss reported for a checkpoint averages. */
export const RECENT_STEPS = 10;

export class DivergenceWatch {
  #history: LossHistory | undefined;
  /** The losses of the run's last steps (at most RECENT_STEPS). */
  readonly #recent: number[];

  /** `resumed`: the history the start checkpoint carries when this segment continues its run. */
  constructor(resumed?: LossHistory) {
    this.#history = resumed === undefined ? undefined : { ...resumed };
    this.#recent = [...(resumed?.last ?? [])];
  }

  /** The loss of step `step`; steps come in order. */
  observe(step: number, loss: number): void {
    this.#recent.push(loss);
    if (this.#recent.length > RECENT_STEPS) this.#recent.shift();
    const history = this.#history;
    if (history === undefined) {
      this.#history = { initial: loss, smoothed: loss, recent: loss };
      return;
    }
    history.smoothed += LOSS_SMOOTHING * (loss - history.smoothed);
    history.recent = this.#recent.reduce((sum, value) => sum + value, 0) / this.#recent.length;
    const above = history.initial > 0 && history.smoothed > DIVERGENCE_FACTOR * history.initial;
    if (above) history.divergedAt ??= step;
    else delete history.divergedAt;
  }

  /** The history so far; undefined before the first step. */
  get history(): LossHistory | undefined {
    return this.#history === undefined ? undefined : { ...this.#history, last: [...this.#recent] };
  }
}
