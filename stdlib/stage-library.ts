// The module the runtime's worker threads load to compute stages (runtime/executors/stage-library.ts):
// the standard library. Workers cannot receive functions, so the CLI hands them this module's URL.
import type { StageLibrary } from '../core/library.ts';
import { standardLibrary } from './library.ts';

export const STANDARD_STAGE_LIBRARY: string = import.meta.url;

export function createStageLibrary(): StageLibrary {
  return standardLibrary;
}
