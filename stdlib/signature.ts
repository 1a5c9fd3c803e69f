// The signature of a standard-library function: one JSON Schema serves declaration checking,
// defaults (filled before hashing) and documentation, OpenLTH-style. The compiler's type system reads
// `returns` and the `ltxType` keyword on arguments; the runtime reads `version` (bump it whenever the
// op's numbers would change, so cached results of the old implementation stop matching).

import type { JsonSchema, LtxType } from '../core/op.ts';

export type { Category, JsonSchema, LtxType, Signature } from '../core/op.ts';

/** Argument schema helpers: keep signatures short and uniform. */
export const arg = {
  ref: (types: LtxType[], description: string): JsonSchema => ({ ltxType: types, description }),
  int: (description: string, extra: JsonSchema = {}): JsonSchema => ({ type: 'integer', description, ...extra }),
  number: (description: string, extra: JsonSchema = {}): JsonSchema => ({ type: 'number', description, ...extra }),
  fraction: (description: string, extra: JsonSchema = {}): JsonSchema => {
    const schema: JsonSchema = { type: 'number', minimum: 0, maximum: 1, description, ...extra };
    // One bound per side: an exclusive bound replaces the inclusive one.
    if ('exclusiveMaximum' in extra) delete schema.maximum;
    if ('exclusiveMinimum' in extra) delete schema.minimum;
    return schema;
  },
  bool: (description: string, def?: boolean): JsonSchema => ({
    type: 'boolean', description, ...(def === undefined ? {} : { default: def }),
  }),
  string: (description: string, extra: JsonSchema = {}): JsonSchema => ({ type: 'string', description, ...extra }),
  oneOf: (values: string[], description: string, def?: string): JsonSchema => ({
    type: 'string', enum: values, description, ...(def === undefined ? {} : { default: def }),
  }),
  /** A number of steps; `3 epochs` is accepted and converted from the run's dataset and batch size. */
  quantity: (description: string, defSteps?: number): JsonSchema => ({
    ltxType: ['quantity'],
    description,
    ...(defSteps === undefined ? {} : { default: { $ltx: 'quantity', amount: defSteps, unit: 'steps' } }),
  }),
  seed: (description = 'seed of the random choice', def: number | undefined = 0): JsonSchema => ({
    type: 'integer', minimum: 0, description, ...(def === undefined ? {} : { default: def }),
  }),
  shape: (description: string, def?: number[]): JsonSchema => ({
    type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1, maxItems: 3, description,
    ...(def === undefined ? {} : { default: def }),
  }),
};

export function objectSchema(
  properties: Record<string, JsonSchema>,
  required: string[] = [],
): JsonSchema {
  return { type: 'object', properties, required, additionalProperties: false };
}
