// When a long training stage commits an intermediate checkpoint: after `everySteps` steps or `everyMs`
// of training since the stage started or last committed, whichever comes first (core/op.ts,
// CheckpointPolicy). Time counts training only: a commit's own duration starts the next interval.
import type { Checkpoint } from '../../core/artifacts.ts';
import type { CheckpointPolicy } from '../../core/op.ts';

export class IntermediateCommits {
  readonly #policy: CheckpointPolicy;
  #lastStep: number;
  #lastAt = performance.now();

  constructor(policy: CheckpointPolicy, from: number) {
    this.#policy = policy;
    this.#lastStep = from;
  }

  /** Whether the checkpoint after `done` steps of the run should be committed. */
  due(done: number): boolean {
    const { everySteps, everyMs } = this.#policy;
    return (everySteps !== undefined && done - this.#lastStep >= everySteps) || performance.now() - this.#lastAt >= everyMs;
  }

  async commit(checkpoint: Checkpoint): Promise<void> {
    await this.#policy.commit(checkpoint);
    this.#lastStep = checkpoint.step;
    this.#lastAt = performance.now();
  }
}
