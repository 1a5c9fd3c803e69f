// What the runtime reads of a compiled program: its stages and which declaration produced which. The
// compiler's CompiledProgram is one; the runtime needs nothing else of it (no sources, no diagnostics).
import type { Stage } from './stage.ts';

export interface DeclaredStages {
  /** The declared name (`dense`, `ticket`). */
  name: string;
  /** The name with its index as written for a member (`acc[3]`); the name otherwise. */
  label: string;
  /** Keys of the stages whose outputs are the declaration's value. */
  stages: readonly string[];
}

export interface StageProgram {
  /** Every stage, parents before children. */
  stages: readonly Stage[];
  stageByKey: ReadonlyMap<string, Stage>;
  declarations: readonly DeclaredStages[];
}
