// Dataset sizes that need a file (a text corpus, IDX files at another path) so that `3 epochs` can be
// converted to steps at compile time. The compiler is pure and synchronous, so the CLI compiles once,
// collects the sizes it asked for and could not get, reads them from the files' headers, and compiles
// again with them. A relative `path` is the program's directory's, as when the run loads the data
// (runtime/data-cache.ts), whichever directory ltx is started from.
import { isAbsolute, resolve } from 'node:path';
import type { Json } from '../core/json.ts';
import { canonicalJson } from '../core/json.ts';
import { probeDatasetSizes } from '../stdlib/datasets/index.ts';

type Sizes = { train: number; test: number };

export class DatasetSizeCache {
  private readonly known = new Map<string, Sizes | null>();
  private readonly wanted = new Map<string, { op: string; params: { [key: string]: Json } }>();
  private readonly programDir: string;

  constructor(programDir: string) {
    this.programDir = programDir;
  }

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
        this.known.set(key, await probeDatasetSizes(op, this.fromProgramDir(params) as Record<string, never>));
        learned = true;
      } catch {
        // The file is unreadable: the compiler's "size not known" error stands; loading it later says why.
        this.known.set(key, null);
      }
    }
    this.wanted.clear();
    return learned;
  }

  private fromProgramDir(params: { [key: string]: Json }): { [key: string]: Json } {
    const path = params['path'];
    return typeof path === 'string' && !isAbsolute(path) ? { ...params, path: resolve(this.programDir, path) } : params;
  }
}
