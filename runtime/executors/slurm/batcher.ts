// Gathers requests that arrive close together into one call: stages that become ready together go to
// Slurm as one job array, jobs to cancel go to one scancel.
export class Batcher<T, R> {
  readonly #windowMs: number;
  readonly #flush: (items: T[]) => Promise<R[]>;
  #waiting: { item: T; resolve(result: R): void; reject(error: unknown): void }[] = [];
  #timer: NodeJS.Timeout | undefined;

  /** `flush` answers each item of a batch, in order. */
  constructor(windowMs: number, flush: (items: T[]) => Promise<R[]>) {
    this.#windowMs = windowMs;
    this.#flush = flush;
  }

  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      this.#timer ??= setTimeout(() => void this.#run(), this.#windowMs);
    });
  }

  async #run(): Promise<void> {
    const batch = this.#waiting;
    this.#waiting = [];
    this.#timer = undefined;
    try {
      const results = await this.#flush(batch.map((entry) => entry.item));
      batch.forEach((entry, index) => entry.resolve(results[index]!));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }
}
