// Dataset sizes that need a file (a text corpus, IDX files at another path) so that `3 epochs` can be
// converted to steps at compile time. The compiler is pure and synchronous, so the CLI compiles once,
// collects the sizes it asked for and could not get, reads them from the files' headers, and compiles
// again with them, or with the reason a file is refused (a device, a FIFO, a directory, too large),
// which the compiler reports at the `path:` argument.
import { canonicalJson } from '../core/json.ts';
import type { Library } from '../core/library.ts';
import type { OpParams } from '../core/op.ts';
import type { DatasetSizeAnswer } from '../compiler/lowering-host.ts';
import { DataFileRefused } from '../stdlib/datasets/files.ts';

export class DatasetSizeCache {
  private readonly known = new Map<string, DatasetSizeAnswer | null>();
  private readonly wanted = new Map<string, { op: string; params: OpParams }>();

  private readonly library: Library;

  constructor(library: Library) {
    this.library = library;
  }

  readonly lookup = (op: string, params: OpParams): DatasetSizeAnswer => {
    const key = canonicalJson({ op, params });
    const hit = this.known.get(key);
    if (hit !== undefined) return hit ?? undefined;
    this.wanted.set(key, { op, params });
    return undefined;
  };

  /** Read the sizes asked for since the last call; true when any new size (or refusal) became known. */
  async resolvePending(): Promise<boolean> {
    let learned = false;
    for (const [key, { op, params }] of this.wanted) {
      const sizes = await this.probe(op, params);
      this.known.set(key, sizes);
      if (sizes) learned = true;
    }
    this.wanted.clear();
    return learned;
  }

  /**
   * The sizes from the files, why a file is refused, or null: a file that is merely missing or unreadable
   * leaves the compiler's "size not known" error (where epochs need it), and loading it later says why —
   * the program may run where the data is.
   */
  private async probe(op: string, params: OpParams): Promise<DatasetSizeAnswer | null> {
    const dataset = this.library.op(op)?.dataset;
    if (!dataset) return null;
    try {
      return await dataset.probeSizes(params);
    } catch (error) {
      return error instanceof DataFileRefused ? { refused: error.message } : null;
    }
  }
}
