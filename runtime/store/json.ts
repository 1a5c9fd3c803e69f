// JSON value types and a canonical serialisation (sorted keys) so that equal values give equal bytes.

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with object keys sorted at every level; throws on values JSON cannot represent exactly. */
export function canonicalJson(value: JsonValue): string {
  return JSON.stringify(sortKeys(value, '$'));
}

function sortKeys(value: JsonValue, path: string): JsonValue {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new TypeError(`${path}: ${value} has no JSON representation`);
  }
  if (Array.isArray(value)) return value.map((item, i) => sortKeys(item, `${path}[${i}]`));
  if (isJsonObject(value)) {
    const sorted: JsonObject = {};
    for (const key of Object.keys(value).sort()) {
      const item = value[key];
      if (item === undefined) continue;
      sorted[key] = sortKeys(item, `${path}.${key}`);
    }
    return sorted;
  }
  return value;
}
