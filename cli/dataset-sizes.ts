// Dataset sizes that need a file (a text corpus, IDX files at another path) so that `3 epochs` can be
// converted to steps at compile time: read from the files' headers through the dataset op's module,
// or the reason a file is refused (a device, a FIFO, a directory, too large), which the compiler
// reports at the `path:` argument.
import { resolveDataPath } from '../core/data-path.ts';
import type { Library } from '../core/library.ts';
import type { DatasetSizeAnswer } from '../compiler/lowering-host.ts';
import { DataFileRefused } from '../stdlib/datasets/files.ts';
import { PendingLookups, type DatasetQuestion } from './pending-lookups.ts';

export class DatasetSizeCache extends PendingLookups<DatasetSizeAnswer> {
  /** `programDir`: the directory of the program's entry file, which relative paths are relative to. */
  constructor(library: Library, programDir: string) {
    super((question) => probe(library, programDir, question));
  }
}

/**
 * The sizes from the files, why a file is refused, or null: a file that is missing or unreadable is
 * reported by the digests' lookup (cli/dataset-content.ts), which needs every file a dataset reads.
 */
async function probe(library: Library, programDir: string, { op, params }: DatasetQuestion): Promise<DatasetSizeAnswer | null> {
  const dataset = library.op(op)?.dataset;
  if (!dataset) return null;
  try {
    return await dataset.probeSizes(resolveDataPath(params, programDir));
  } catch (error) {
    return error instanceof DataFileRefused ? { refused: error.message } : null;
  }
}
