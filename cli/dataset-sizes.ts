// Dataset sizes that need a file (a text corpus, IDX files at another path) so that `3 epochs` can be
// converted to steps at compile time. The compiler is pure and synchronous, so the CLI compiles once,
// collects the sizes it asked for and could not get, reads them from the files' headers, and compiles
// again with them, or with the reason a file is refused (a device, a FIFO, a directory, too large),
// which the compiler reports at the `path:` argument.
import type { Json } from '../compiler/canonical.ts';
import { canonicalJson } from '../compiler/canonical.ts';
import type { DatasetSizeAnswer } from '../compiler/evaluate.ts';
import { DataFileRefused } from '../stdlib/datasets/files.ts';
import { probeDatasetSizes } from '../stdlib/datasets/index.ts';

export class DatasetSizeCache {
  private readonly known = new Map<string, DatasetSizeAnswer | null>();
  private readonly wanted = new Map<string, { op: string; params: { [key: string]: Json } }>();

  readonly lookup = (op: string, params: { [key: string]: Json }): DatasetSizeAnswer => {
    const key = canonicalJson({ op, params });
    const hit = this.known.get(key);
    if (hit !== undefined) return hit ?? undefined;
    this.wanted.set(key, { op, params });
    return undefined;
  };

  /** Read the sizes asked for since the last call; true when any new size became known. */
  async resolvePending(): Promise<boolean> {
    let learned = false;
    for (const [key, { op, params }] of this.wanted) {
      try {
        this.known.set(key, await probeDatasetSizes(op, params as Record<string, never>));
        learned = true;
      } catch (error) {
        if (error instanceof DataFileRefused) {
          this.known.set(key, { refused: error.message });
          learned = true;
        } else {
          // The file is missing or unreadable: the compiler's "size not known" error stands (where
          // epochs need it), and loading it later says why: the program may run where the data is.
          this.known.set(key, null);
        }
      }
    }
    this.wanted.clear();
    return learned;
  }
}
