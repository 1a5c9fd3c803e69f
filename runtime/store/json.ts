// The store's JSON vocabulary is core's: one canonical form for stage keys and for the records beside them.
export { canonicalJson, isJsonObject } from '../../core/json.ts';
export type { Json as JsonValue, JsonObject } from '../../core/json.ts';
