// Field-by-field difference of two stage preimages: how `ltx plan` says *why* a stage reruns
// ("params.lr: 0.1 -> 0.05") instead of only "hash changed".
import { isJsonObject } from './json.ts';
import type { JsonValue } from './json.ts';

export interface PreimageChange {
  /** Where it differs, e.g. `params.lr`, `inputs[0]`, `params["odd key"]`. */
  readonly path: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** Absent when the field was added. */
  readonly old?: JsonValue;
  /** Absent when the field was removed. */
  readonly new?: JsonValue;
}

/** Every leaf that differs, in path order; an empty list means the preimages are equal. */
export function diffPreimages(oldPreimage: JsonValue, newPreimage: JsonValue): PreimageChange[] {
  const changes: PreimageChange[] = [];
  walk(oldPreimage, newPreimage, '', changes);
  return changes;
}

function walk(before: JsonValue | undefined, after: JsonValue | undefined, path: string, out: PreimageChange[]): void {
  if (before === undefined && after === undefined) return;
  if (before === undefined) {
    out.push({ path: path || '$', change: 'added', new: after! });
    return;
  }
  if (after === undefined) {
    out.push({ path: path || '$', change: 'removed', old: before });
    return;
  }
  if (isJsonObject(before) && isJsonObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) walk(before[key], after[key], joinKey(path, key), out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    for (let i = 0; i < length; i++) walk(before[i], after[i], `${path}[${i}]`, out);
    return;
  }
  if (before !== after) out.push({ path: path || '$', change: 'changed', old: before, new: after });
}

function joinKey(path: string, key: string): string {
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}
