// Watching the training loss without slowing the loop: each step's loss stays on the backend until a
// report, when they are downloaded together, checked for NaN/Infinity and averaged for the progress line.
import * as tf from '@tensorflow/tfjs-core';

export interface TrainingProgress {
  /** Steps done in this segment, out of `total` = to − from. */
  step: number;
  total: number;
  /** Mean loss of the steps since the previous report; absent in the first report, before any step. */
  loss?: number;
  /** In the report right after an intermediate checkpoint was committed: the run's step it holds. */
  committed?: number;
}

/** The loss was NaN or infinite at `step`; the segment has no result. */
export class TrainingDiverged extends Error {
  readonly step: number;
  readonly value: number;

  constructor(step: number, value: number) {
    super(`loss became ${Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity'} at step ${step}`);
    this.name = 'TrainingDiverged';
    this.step = step;
    this.value = value;
  }
}

/** Something that follows a run's losses step by step (the divergence check, the training curve). */
export interface LossWatcher {
  observe(step: number, loss: number): void;
}

export interface LossMonitorOptions {
  from: number;
  to: number;
  onProgress?: (p: TrainingProgress) => void;
  /** Report after this many steps or this many milliseconds, whichever comes first (and at the end). */
  everySteps?: number;
  everyMs?: number;
  /** See every step's loss, in order. */
  watchers?: readonly LossWatcher[];
}

export class LossMonitor {
  private readonly opts: LossMonitorOptions;
  private readonly pending: tf.Tensor[] = [];
  /** The step whose loss is pending[0]. */
  private firstPending: number;
  private reportedAt = performance.now();

  constructor(opts: LossMonitorOptions) {
    this.opts = opts;
    this.firstPending = opts.from;
    opts.onProgress?.({ step: 0, total: opts.to - opts.from });
  }

  /** Takes ownership of the loss of the step that just ended; reports when one is due. */
  async record(loss: tf.Tensor): Promise<void> {
    this.pending.push(loss);
    const done = this.firstPending + this.pending.length;
    const due = this.pending.length >= (this.opts.everySteps ?? 10)
      || performance.now() - this.reportedAt >= (this.opts.everyMs ?? 500)
      || done === this.opts.to;
    if (due) await this.report(done);
  }

  private async report(done: number): Promise<void> {
    const stacked = tf.stack(this.pending);
    const values = await stacked.data();
    stacked.dispose();
    this.dispose();
    let sum = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) throw new TrainingDiverged(this.firstPending + i, v);
      for (const watcher of this.opts.watchers ?? []) watcher.observe(this.firstPending + i, v);
      sum += v;
    }
    this.firstPending = done;
    this.reportedAt = performance.now();
    this.opts.onProgress?.({ step: done - this.opts.from, total: this.opts.to - this.opts.from, loss: sum / values.length });
    // Let the event loop deliver an abort (or anything else) between bursts of synchronous steps.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Reports the steps not reported yet (checks them and hands them to the watch) now. */
  async flush(): Promise<void> {
    if (this.pending.length > 0) await this.report(this.firstPending + this.pending.length);
  }

  /** Frees the losses not reported yet. */
  dispose(): void {
    for (const t of this.pending.splice(0)) t.dispose();
  }
}
