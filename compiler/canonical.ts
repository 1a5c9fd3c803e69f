// Canonical JSON and stage keys. Keys must not depend on how a number was spelled, on key order or on
// anything but the value: `1.2e-3` and `0.0012` are one number, {a, b} and {b, a} one object.
import { createHash } from 'node:crypto';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** JSON text with sorted object keys and no whitespace; -0 becomes 0; non-finite numbers are refused. */
export function canonicalJson(value: Json): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`non-finite number in a stage preimage: ${value}`);
    return JSON.stringify(Object.is(value, -0) ? 0 : value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k]!)}`).join(',')}}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** What a stage key is the hash of. Names, comments, layout, order and file paths never enter it. */
export interface Preimage {
  op: string;
  version: number;
  params: { [key: string]: Json };
  /** Role → input stage key. */
  inputs: { [role: string]: string };
}

export function stageKey(preimage: Preimage): string {
  return sha256Hex(canonicalJson(preimage as unknown as Json));
}
