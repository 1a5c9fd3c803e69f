// JSON values and their canonical text. Keys and records must not depend on how a number was spelled,
// on key order or on anything but the value: `1.2e-3` and `0.0012` are one number, {a, b} and {b, a}
// one object, -0 is 0.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * JSON text with sorted object keys and no whitespace; -0 becomes 0; keys whose value is undefined are
 * left out; non-finite numbers are refused (JSON cannot represent them, and a key must not silently
 * stand for two values). Iterative, so a deeply nested value cannot overflow the stack.
 */
export function canonicalJson(value: Json): string {
  const out: string[] = [];
  // A stack of pending work: a value to write, or literal text (separators, closing brackets).
  const work: ({ value: Json; path: string } | string)[] = [{ value, path: '$' }];
  while (work.length > 0) {
    const item = work.pop()!;
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    const v = item.value;
    if (v === null || typeof v === 'boolean' || typeof v === 'string') {
      out.push(JSON.stringify(v));
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new TypeError(`${item.path}: ${v} has no JSON representation`);
      out.push(JSON.stringify(Object.is(v, -0) ? 0 : v));
    } else if (Array.isArray(v)) {
      out.push('[');
      work.push(']');
      for (let i = v.length - 1; i >= 0; i--) {
        work.push({ value: v[i]!, path: `${item.path}[${i}]` });
        if (i > 0) work.push(',');
      }
    } else {
      const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort();
      out.push('{');
      work.push('}');
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        work.push({ value: v[key]!, path: `${item.path}.${key}` });
        work.push(`${JSON.stringify(key)}:`);
        if (i > 0) work.push(',');
      }
    }
  }
  return out.join('');
}
