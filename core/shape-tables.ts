// Index tables that depend on shapes alone (a kernel's address or run tables), kept so that the steps
// of a training, which ask for the same shapes every time, build each once. Bounded: a process that
// sees many shapes (a sweep over widths) drops them all and starts again rather than growing.
export class ShapeTables {
  readonly #tables = new Map<string, Int32Array>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  /** The table for `key`, built by `build` the first time (or after the tables were dropped). */
  get(key: string, build: () => Int32Array): Int32Array {
    let table = this.#tables.get(key);
    if (table === undefined) {
      if (this.#tables.size >= this.#max) this.#tables.clear();
      this.#tables.set(key, (table = build()));
    }
    return table;
  }
}
