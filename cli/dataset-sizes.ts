// Dataset sizes that need a file (a text corpus, IDX files at another path) so that `3 epochs` can be
// converted to steps at compile time. The compiler is pure and synchronous, so the CLI compiles once,
// collects the sizes it asked for and could not get, reads them from the files' headers, and compiles
// again with them.
import type { Json } from '../core/json.ts';
import { canonicalJson } from '../core/json.ts';
import { probeDatasetSizes } from '../stdlib/datasets/index.ts';

type Sizes = { train: number; test: number };

export class DatasetSizeCache {
  private readonly known = new Map<string, Sizes | null>();
  private readonly wanted = new Map<string, { op: string; params: { [key: string]: Json } }>();

  readonly lookup = (op: string, params: { [key: string]: Json }): Sizes | undefined => {
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
      } catch {
        // The file is unreadable: the compiler's "size not known" error stands; loading it later says why.
        this.known.set(key, null);
      }
    }
    this.wanted.clear();
    return learned;
  }
}
