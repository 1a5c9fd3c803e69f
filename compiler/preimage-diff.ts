// Field-by-field differences of two stage preimages: what `plan` and `diff` print as the reason a
// stage reruns ("optimizer.lr: 0.0012 → 0.002").
import { canonicalJson, type Json } from '../core/json.ts';
import { type Preimage } from '../core/stage.ts';

export interface FieldChange {
  /** Dotted path into the preimage, e.g. `params.optimizer.lr`, `inputs.start`. */
  path: string;
  old: Json | undefined;
  new: Json | undefined;
}

export function diffPreimages(before: Preimage, after: Preimage): FieldChange[] {
  const changes: FieldChange[] = [];
  walk('', before as unknown as Json, after as unknown as Json, changes);
  return changes;
}

function walk(path: string, a: Json | undefined, b: Json | undefined, out: FieldChange[]): void {
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      walk(path ? `${path}.${key}` : key, a[key], b[key], out);
    }
    return;
  }
  if (canonical(a) !== canonical(b)) out.push({ path, old: a, new: b });
}

function isObject(v: Json | undefined): v is { [key: string]: Json } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function canonical(v: Json | undefined): string {
  return v === undefined ? '' : canonicalJson(v);
}

export function formatJsonValue(v: Json | undefined): string {
  if (v === undefined) return '(none)';
  return typeof v === 'string' ? v : JSON.stringify(v);
}
