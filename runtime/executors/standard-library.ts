// The stage library of ltx itself: runtime/ops' implementations, the artifact codec, the dataset cache.
import { decodeArtifact, encodeArtifact } from '../artifact-codec.ts';
import { DataCache } from '../data-cache.ts';
import { implementationFor } from '../ops/registry.ts';
import type { StageFunction, StageLibrary } from './stage-library.ts';

export function createStageLibrary(): StageLibrary {
  return {
    // The context handed over is runtime/ops' ExecContext: its `data` is the DataCache made below.
    implementationFor: (stage) => implementationFor(stage) as unknown as StageFunction,
    encodeArtifact,
    decodeArtifact,
    createDataCache: () => new DataCache(),
  };
}
