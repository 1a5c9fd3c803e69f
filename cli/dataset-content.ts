// The digests of the files each dataset reads, for its descriptor: a dataset's identity is its content,
// so an edited file re-keys exactly the stages that use it. The dataset op's module says which files it
// reads (DatasetFacet.files); a missing or refused file is a problem the compiler reports at `path:`.
import { resolveDataPath } from '../core/data-path.ts';
import type { Library } from '../core/library.ts';
import type { DatasetContentAnswer } from '../compiler/lowering-host.ts';
import { DatasetError } from '../stdlib/datasets/errors.ts';
import type { FileDigests } from './file-digests.ts';
import { PendingLookups, type DatasetQuestion } from './pending-lookups.ts';

export class DatasetContentCache extends PendingLookups<DatasetContentAnswer> {
  /** `programDir`: the directory of the program's entry file, which relative paths are relative to. */
  constructor(library: Library, programDir: string, digests: FileDigests) {
    super((question) => contentOf(library, programDir, digests, question));
  }
}

async function contentOf(library: Library, programDir: string, digests: FileDigests, { op, params }: DatasetQuestion): Promise<DatasetContentAnswer | null> {
  const dataset = library.op(op)?.dataset;
  if (!dataset) return null;
  let files;
  try {
    files = await dataset.files(resolveDataPath(params, programDir));
  } catch (error) {
    if (error instanceof DatasetError) return { problem: error.message };
    throw error;
  }
  const content: { [name: string]: string } = {};
  for (const name of Object.keys(files).sort()) {
    const path = files[name]!;
    try {
      content[name] = await digests.digest(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return { problem: `cannot read ${path}: ${code === 'EACCES' ? 'permission denied' : (error as Error).message}` };
    }
  }
  return { content };
}
