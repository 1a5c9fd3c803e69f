// Reading a stage's params and inputs. The compiler validated the params against the op's schema, but a
// stage can also come from a store written by another version, so each reader checks what it returns;
// a bad value is a StageFailure that names the field. Defaults live only in the op's schema: the
// compiler fills them in before hashing, so a parameter that is absent here is ltx's own fault, never
// the program's, and no reader makes one up.
import type { Json } from '../../core/json.ts';
import type { Stage } from '../../core/stage.ts';
import type { Artifact, Checkpoint, Mask, OpRef } from '../../core/artifacts.ts';
import { StageFailure } from './failure.ts';

type Params = Stage['params'];

function isRecord(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A parameter the compiler always writes is absent: a bug of ltx (or a stage built by hand), not of the
 * program, so it is no StageFailure.
 */
export class MissingParameter extends Error {
  constructor(key: string) {
    super(`the stage has no '${key}' parameter, but the compiler writes every parameter with its default filled in: this stage was not made by ltx's compiler (a bug in ltx)`);
    this.name = 'MissingParameter';
  }
}

/** The value of `key`, whatever it is (its reader checks it); MissingParameter when the stage lacks it. */
export function present(params: Params, key: string): Json {
  const value = params[key];
  if (value === undefined) throw new MissingParameter(key);
  return value;
}

export function opRefParam(params: Params, key: string, what = key): OpRef {
  const value = present(params, key);
  if (!isRecord(value) || typeof value['op'] !== 'string' || typeof value['version'] !== 'number' || !isRecord(value['params'])) {
    throw new StageFailure(`the ${what} parameter is not an {op, version, params} description: ${JSON.stringify(value)}`);
  }
  return { op: value['op'], version: value['version'], params: value['params'] };
}

export function numberParam(params: Params, key: string): number {
  const value = present(params, key);
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new StageFailure(`parameter '${key}' must be a number, got ${JSON.stringify(value)}`);
  return value;
}

export function integerParam(params: Params, key: string): number {
  const value = numberParam(params, key);
  if (!Number.isInteger(value) || value < 0) throw new StageFailure(`parameter '${key}' must be a non-negative integer, got ${value}`);
  return value;
}

export function stringParam<T extends string>(params: Params, key: string, allowed: readonly T[]): T {
  const value = present(params, key);
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new StageFailure(`parameter '${key}' must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

export function stringListParam(params: Params, key: string): string[] {
  const value = present(params, key);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new StageFailure(`parameter '${key}' must be a list of strings, got ${JSON.stringify(value)}`);
  }
  return value as string[];
}

export function rateRecordParam(params: Params, key: string): Record<string, number> {
  const value = present(params, key);
  if (!isRecord(value) || !Object.values(value).every((v) => typeof v === 'number')) {
    throw new StageFailure(`parameter '${key}' must map layer names to rates, got ${JSON.stringify(value)}`);
  }
  return value as Record<string, number>;
}

/** `{dataset: {op, version, params}, split}` as a train stage's `data` and a probe's `on` are written. */
export function dataParam(params: Params, key: string): { dataset: OpRef; split: 'train' | 'test' } {
  const value = present(params, key);
  if (!isRecord(value)) throw new StageFailure(`parameter '${key}' must name a dataset split, got ${JSON.stringify(value)}`);
  return { dataset: opRefParam(value, 'dataset', `${key}.dataset`), split: stringParam(value, 'split', ['train', 'test'] as const) };
}

function input(stage: Stage, inputs: Record<string, Artifact>, role: string): Artifact {
  const artifact = inputs[role];
  if (!artifact) throw new StageFailure(`${stage.op} needs its '${role}' input, which was not given`);
  return artifact;
}

export function checkpointInput(stage: Stage, inputs: Record<string, Artifact>, role: string): Checkpoint {
  const artifact = input(stage, inputs, role);
  if (artifact.kind !== 'checkpoint') throw new StageFailure(`${stage.op}'s '${role}' input must be a checkpoint, got a ${artifact.kind}`);
  return artifact;
}

export function maskInput(stage: Stage, inputs: Record<string, Artifact>, role: string): Mask {
  const artifact = input(stage, inputs, role);
  if (artifact.kind !== 'mask') throw new StageFailure(`${stage.op}'s '${role}' input must be a mask, got a ${artifact.kind}`);
  return artifact;
}

export function checkpointOrMaskInput(stage: Stage, inputs: Record<string, Artifact>, role: string): Checkpoint | Mask {
  const artifact = input(stage, inputs, role);
  if (artifact.kind === 'probe') throw new StageFailure(`${stage.op}'s '${role}' input must be a checkpoint or a mask, got a probe result`);
  return artifact;
}
