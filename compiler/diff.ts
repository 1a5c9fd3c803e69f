// Semantic diff of two compiled programs: stages added, removed and changed (which parameter, old →
// new), and which cached results stay valid. Stages are matched by key first (identical work), then by
// name (the same declaration whose parameters or inputs changed).
import type { CompiledProgram } from './compile.ts';
import { diffPreimages, type FieldChange } from './preimage-diff.ts';
import { preimageOf, type Stage } from '../core/stage.ts';

export interface StageSummary {
  name: string;
  kind: Stage['kind'];
  op: string;
  key: string;
}

export interface ChangedStage {
  name: string;
  kind: Stage['kind'];
  op: string;
  oldKey: string;
  newKey: string;
  /** Own parameter changes (op, version, params). */
  params: FieldChange[];
  /** Inputs that changed, by role, with the names of the stages they now come from. */
  inputs: { role: string; oldName?: string; newName?: string }[];
}

export interface ProgramDiff {
  added: StageSummary[];
  removed: StageSummary[];
  changed: ChangedStage[];
  /** Stages with the same key in both: their cached results stay valid. */
  unchanged: StageSummary[];
}

const summary = (s: Stage): StageSummary => ({ name: s.name, kind: s.kind, op: s.op, key: s.key });

export function diffPrograms(before: CompiledProgram, after: CompiledProgram): ProgramDiff {
  const unchanged: StageSummary[] = [];
  const addedStages: Stage[] = [];
  for (const s of after.stages) {
    if (before.stageByKey.has(s.key)) unchanged.push(summary(s));
    else addedStages.push(s);
  }
  const removedStages = before.stages.filter((s) => !after.stageByKey.has(s.key));
  const removedByName = new Map<string, Stage>();
  for (const s of removedStages) for (const n of s.names) if (!removedByName.has(n)) removedByName.set(n, s);
  const matched = new Set<string>();
  const changed: ChangedStage[] = [];
  const added: StageSummary[] = [];
  for (const s of addedStages) {
    const old = s.names.map((n) => removedByName.get(n)).find((o) => o && !matched.has(o.key));
    if (!old) {
      added.push(summary(s));
      continue;
    }
    matched.add(old.key);
    const changes = diffPreimages(preimageOf(old), preimageOf(s));
    const inputs = [...new Set(changes.filter((c) => c.path.startsWith('inputs.')).map((c) => c.path.slice('inputs.'.length)))].map((role) => ({
      role,
      oldName: old.inputs[role] ? before.stageByKey.get(old.inputs[role]!)?.name : undefined,
      newName: s.inputs[role] ? after.stageByKey.get(s.inputs[role]!)?.name : undefined,
    }));
    changed.push({ name: s.name, kind: s.kind, op: s.op, oldKey: old.key, newKey: s.key, params: changes.filter((c) => !c.path.startsWith('inputs.')), inputs });
  }
  const removed = removedStages.filter((s) => !matched.has(s.key)).map(summary);
  return { added, removed, changed, unchanged };
}
