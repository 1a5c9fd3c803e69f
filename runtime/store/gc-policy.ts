// Which valid results `cache gc` keeps. Without a policy, all of them: gc then frees only garbage
// (broken records, unreferenced blobs, leftovers), so a shared cache never loses a result nobody asked
// to drop. With one, what it names — the stage keys of given programs, what was computed or used by a
// run since a time — and every result those need as inputs, as their preimages say (a checkpoint
// another stage starts from is kept with it, so keeping a stage never means recomputing its past).
import type { ActionRecord } from './action-record.ts';
import type { Sha256Hex } from './digest.ts';
import { isJsonObject } from './json.ts';
import type { ProgramRuns } from './program-runs.ts';

export interface RetentionPolicy {
  /** Stage keys to keep (`--keep PROGRAM`: every stage the program compiles to). */
  readonly keep?: ReadonlySet<Sha256Hex>;
  /** Keep what was computed, or used by a run of any program, at this time or later (`--keep-days`). */
  readonly keepUsedSince?: Date;
  /**
   * Training runs whose every cached checkpoint is kept (`--keep PROGRAM`: the runs it declares): the
   * intermediate checkpoints of an interrupted run are where its rerun resumes, though no stage of the
   * program names them.
   */
  readonly keepRuns?: ReadonlySet<Sha256Hex>;
}

/** The keys among `valid` that `policy` keeps, with their inputs; all of them when it names nothing. */
export function keptResults(valid: ReadonlyMap<Sha256Hex, ActionRecord>, programs: readonly ProgramRuns[], policy: RetentionPolicy): Set<Sha256Hex> {
  if (policy.keep === undefined && policy.keepUsedSince === undefined && policy.keepRuns === undefined) return new Set(valid.keys());
  const roots = new Set<Sha256Hex>(policy.keep ?? []);
  const since = policy.keepUsedSince;
  if (since !== undefined) {
    const recent = (time: string): boolean => Date.parse(time) >= since.getTime();
    for (const [key, record] of valid) if (recent(record.finishedAt)) roots.add(key);
    for (const program of programs) for (const entry of Object.values(program.stages)) if (recent(entry.usedAt)) roots.add(entry.key);
  }
  if (policy.keepRuns !== undefined) {
    for (const [key, record] of valid) if (record.run !== undefined && policy.keepRuns.has(record.run.id)) roots.add(key);
  }
  const kept = new Set<Sha256Hex>();
  const pending = [...roots];
  while (pending.length > 0) {
    const key = pending.pop()!;
    const record = valid.get(key);
    if (record === undefined || kept.has(key)) continue;
    kept.add(key);
    pending.push(...inputKeys(record));
  }
  return kept;
}

/** The stage keys a record's preimage names as its inputs (role → key). */
function inputKeys(record: ActionRecord): Sha256Hex[] {
  const inputs = record.preimage['inputs'];
  return isJsonObject(inputs) ? Object.values(inputs).filter((value): value is string => typeof value === 'string') : [];
}
