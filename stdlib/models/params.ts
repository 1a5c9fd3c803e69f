// The schemas of the parameters several models share, and readers for model arguments. The compiler has already validated them against the op's schema and
// filled its defaults, but a layout is also built from parameters no compiler saw (a stage's params
// read back, tests), so each reader checks the type it returns; a failure names the argument. Defaults
// are the schema's alone: a caller without a compiler fills them with core/defaults.ts.
import { arg, LIMITS, type JsonSchema } from '../signature.ts';
import { ModelError } from './errors.ts';

export type Activation = 'relu' | 'tanh' | 'gelu' | 'linear';
export const ACTIVATIONS: readonly Activation[] = ['relu', 'tanh', 'gelu', 'linear'];

/** The schema of the `activation` parameter several models share. */
export const activationParameter: JsonSchema = arg.oneOf([...ACTIVATIONS], 'nonlinearity between layers', 'relu');

/** The schema of the `classes` parameter, with the model's default if it has one. */
export function classesParameter(defaultClasses?: number): JsonSchema {
  return arg.count('number of outputs (classes)', LIMITS.width, defaultClasses === undefined ? {} : { default: defaultClasses });
}

/** An image shape [height, width, channels]. */
export type ImageShape = [number, number, number];

type Args = Record<string, unknown>;

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function isPositiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}

function missing(op: string, name: string): ModelError {
  return new ModelError(`${op}: argument '${name}' is required`, name);
}

export function readInt(op: string, args: Args, name: string): number {
  const value = args[name];
  if (value === undefined) throw missing(op, name);
  if (!isPositiveInt(value)) {
    throw new ModelError(`${op}: '${name}' must be a positive integer, got ${describe(value)}`, name);
  }
  return value;
}

export function readIntList(op: string, args: Args, name: string): number[] {
  const value = args[name];
  if (value === undefined) throw missing(op, name);
  if (!Array.isArray(value) || !value.every(isPositiveInt)) {
    throw new ModelError(`${op}: '${name}' must be a list of positive integers, got ${describe(value)}`, name);
  }
  return [...value];
}

export function readIntGroups(op: string, args: Args, name: string): number[][] {
  const value = args[name];
  if (value === undefined) throw missing(op, name);
  const ok =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((group) => Array.isArray(group) && group.length > 0 && group.every(isPositiveInt));
  if (!ok) {
    throw new ModelError(
      `${op}: '${name}' must be a non-empty list of non-empty lists of positive integers ` +
        `(one list of channel counts per pooling stage), got ${describe(value)}`,
      name,
    );
  }
  return (value as number[][]).map((group) => [...group]);
}

export function readImageShape(op: string, args: Args, name: string): ImageShape {
  const value = args[name];
  if (value === undefined) throw missing(op, name);
  if (!Array.isArray(value) || value.length !== 3 || !value.every(isPositiveInt)) {
    throw new ModelError(
      `${op}: '${name}' must be an image shape [height, width, channels] of positive integers, got ${describe(value)}`,
      name,
    );
  }
  return [value[0], value[1], value[2]];
}

export function readActivation(op: string, args: Args, name: string): Activation {
  const value = args[name];
  if (value === undefined) throw missing(op, name);
  if (typeof value !== 'string' || !(ACTIVATIONS as readonly string[]).includes(value)) {
    throw new ModelError(`${op}: '${name}' must be one of ${ACTIVATIONS.join(', ')}, got ${describe(value)}`, name);
  }
  return value as Activation;
}

export function readBool(op: string, args: Args, name: string): boolean {
  const value = args[name];
  if (value === undefined) throw missing(op, name);
  if (typeof value !== 'boolean') {
    throw new ModelError(`${op}: '${name}' must be true or false, got ${describe(value)}`, name);
  }
  return value;
}
