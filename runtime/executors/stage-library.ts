// What an executor computes stages with: a StageLibrary (core/library.ts), the implementation of each
// stage op. Workers cannot receive functions, so a library travels as the URL of a module that builds
// one: the CLI passes the standard library's (stdlib/stage-library.ts), tests bring their own fake tables.
import type { StageLibrary } from '../../core/library.ts';
import type { StageImplementation } from '../../core/op.ts';
import type { Stage } from '../../core/stage.ts';

/** A module that can be a stage library exports this as `createStageLibrary`. */
export type CreateStageLibrary = () => StageLibrary | Promise<StageLibrary>;

export async function loadStageLibrary(moduleUrl: string): Promise<StageLibrary> {
  const module = (await import(moduleUrl)) as { createStageLibrary?: unknown };
  if (typeof module.createStageLibrary !== 'function') {
    throw new Error(`${moduleUrl} is not a stage library: it does not export createStageLibrary()`);
  }
  return await (module.createStageLibrary as CreateStageLibrary)();
}

/** The implementation of `stage.op`; throws, naming the op, when the library has none. */
export function implementationOf(library: StageLibrary, stage: Stage): StageImplementation {
  const implementation = library.implementationFor(stage.op);
  if (implementation === undefined) throw new Error(`this version of ltx has no implementation of the stage op '${stage.op}'`);
  return implementation;
}
