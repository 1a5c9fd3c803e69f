// Which examples each training step sees. Step t uses batch t mod E of epoch ⌊t / E⌋, E = ⌈N / batch⌉;
// an epoch's order is a seeded permutation that depends on (order, epoch) only, and its last batch is the
// remainder. So the batches of a step never depend on where a run was split and resumed.
import { createRng } from '../random.ts';

export function stepsPerEpoch(examples: number, batch: number): number {
  return Math.ceil(examples / batch);
}

/** The permutation of epoch `epoch` under data-order seed `order`. */
export function epochPermutation(order: number, epoch: number, examples: number): Int32Array {
  return createRng(order, `data-order/epoch=${epoch}`).permutation(examples);
}

export class DataOrder {
  readonly order: number;
  readonly examples: number;
  readonly batch: number;
  readonly stepsPerEpoch: number;
  private epoch = -1;
  private permutation: Int32Array = new Int32Array(0);

  constructor(order: number, examples: number, batch: number) {
    if (!(examples > 0)) throw new Error('the training split has no examples');
    if (!(batch >= 1)) throw new Error(`the batch size must be at least 1, got ${batch}`);
    this.order = order;
    this.examples = examples;
    this.batch = batch;
    this.stepsPerEpoch = stepsPerEpoch(examples, batch);
  }

  /** Example indices of step `step`'s batch (a view: copy it to keep it past the next call). */
  batchAt(step: number): Int32Array {
    const epoch = Math.floor(step / this.stepsPerEpoch);
    // One permutation per epoch, drawn when the epoch is first needed: steps arrive in order.
    if (epoch !== this.epoch) {
      this.permutation = epochPermutation(this.order, epoch, this.examples);
      this.epoch = epoch;
    }
    const start = (step % this.stepsPerEpoch) * this.batch;
    return this.permutation.subarray(start, Math.min(start + this.batch, this.examples));
  }
}
