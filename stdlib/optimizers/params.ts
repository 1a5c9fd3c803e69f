// Reading an optimizer's or a schedule's settings from its descriptor. The compiler has checked them
// against the op's schema and filled its defaults; these readers check the type of what they return (a
// stage's params are also read back from the cache and written by tests), and a failure names the field.
import type { Descriptor } from './types.ts';

export function isDescriptor(value: unknown): value is Descriptor {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function numberOf(raw: Descriptor, key: string, where: string, check: (v: number) => boolean = () => true): number {
  const value = raw[key];
  if (value === undefined) throw new Error(`${where}: '${key}' is missing`);
  if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) {
    throw new Error(`${where}: '${key}' has an invalid value ${JSON.stringify(value)}`);
  }
  return value;
}

export function booleanOf(raw: Descriptor, key: string, where: string): boolean {
  const value = raw[key];
  if (typeof value !== 'boolean') throw new Error(`${where}: '${key}' must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

export const nonNegative = (v: number) => v >= 0;
export const positive = (v: number) => v > 0;
export const belowOne = (v: number) => v >= 0 && v < 1;
export const wholeSteps = (v: number) => Number.isInteger(v) && v >= 0;
