// Reading a dataset's parameters. The compiler has already checked them against the op's schema and
// filled its defaults; these readers repeat the checks (loaders are also called directly, by tests and
// tools) and fill the same defaults, so a loader never computes on a value it did not expect.
import { DatasetError } from './errors.ts';
import type { DatasetParams } from './types.ts';

function present(op: string, params: DatasetParams, name: string, fallback: unknown): unknown {
  const value = params[name] ?? fallback;
  if (value === undefined) throw new DatasetError(`${op}: missing required parameter \`${name}\``);
  return value;
}

function invalid(op: string, name: string, expected: string, value: unknown): DatasetError {
  return new DatasetError(`${op}: parameter \`${name}\` must be ${expected}, got ${JSON.stringify(value)}`);
}

export interface IntegerBounds {
  min?: number;
  max?: number;
  default?: number;
}

export function integerParam(op: string, params: DatasetParams, name: string, bounds: IntegerBounds = {}): number {
  const value = present(op, params, name, bounds.default);
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = bounds;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range =
      bounds.min !== undefined && bounds.max !== undefined ? ` from ${min} to ${max}`
      : bounds.min !== undefined ? ` ≥ ${min}`
      : bounds.max !== undefined ? ` ≤ ${max}`
      : '';
    throw invalid(op, name, `an integer${range}`, value);
  }
  return value;
}

/** A share strictly between 0 and 1 (`20%` in a program arrives as 0.2). */
export function fractionParam(op: string, params: DatasetParams, name: string, fallback?: number): number {
  const value = present(op, params, name, fallback);
  if (typeof value !== 'number' || !(value > 0 && value < 1)) {
    throw invalid(op, name, 'a fraction strictly between 0% and 100%', value);
  }
  return value;
}

export function positiveNumberParam(op: string, params: DatasetParams, name: string, fallback?: number): number {
  const value = present(op, params, name, fallback);
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalid(op, name, 'a positive number', value);
  }
  return value;
}

export function stringParam(op: string, params: DatasetParams, name: string, fallback?: string): string {
  const value = present(op, params, name, fallback);
  if (typeof value !== 'string' || value.length === 0) throw invalid(op, name, 'a non-empty string', value);
  return value;
}

/** One of the `choices` (an enum of the op's schema). */
export function choiceParam<C extends string>(op: string, params: DatasetParams, name: string, choices: readonly C[], fallback?: C): C {
  const value = present(op, params, name, fallback);
  if (!choices.includes(value as C)) throw invalid(op, name, `one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`, value);
  return value as C;
}

/** A per-example shape: a non-empty list of positive integers. */
export function shapeParam(op: string, params: DatasetParams, name: string): number[] {
  const value = present(op, params, name, undefined);
  if (!Array.isArray(value) || value.length === 0 || !value.every((d) => Number.isSafeInteger(d) && d > 0)) {
    throw invalid(op, name, 'a non-empty list of positive integers', value);
  }
  return value as number[];
}
