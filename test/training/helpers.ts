// Shared setup for the training, pruning and ops tests: the cpu backend, stages built by hand with the
// params the compiler emits, a StageContext, and small models and datasets that train in milliseconds.
import * as tf from '@tensorflow/tfjs-core';
import type { Json } from '../../core/json.ts';
import type { Stage, StageKind } from '../../core/stage.ts';
import type { Artifact, Checkpoint, Mask, OpRef, ProbeResult } from '../../core/artifacts.ts';
import type { StageContext, StageImplementation, StageProgress } from '../../core/op.ts';
import { standardLibrary } from '../../stdlib/library.ts';

export async function useCpuBackend(): Promise<void> {
  // tfjs-core's Node bundle registers no gradient functions; the @tensorflow/tfjs bundle does.
  await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  // The cpu backend advises installing tfjs-node on first use; that is noise in test output.
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
}

const KINDS: Record<string, StageKind> = {
  init: 'init', train: 'train', magnitude: 'mask', random_mask: 'mask', rewind: 'rewind', reinit: 'reinit',
};

export function stage(op: string, params: { [key: string]: Json }, inputs: { [role: string]: string } = {}): Stage {
  const at = { offset: 0, line: 1, column: 1 };
  return {
    key: `${op}-test`, kind: KINDS[op] ?? 'probe', op, version: 1, params, inputs, name: op, names: [op],
    origin: { file: 'test.ltx', range: { start: at, end: at } },
  };
}

export function context(overrides: Partial<StageContext> & { progressLog?: StageProgress[] } = {}): StageContext {
  const log = overrides.progressLog;
  return {
    library: overrides.library ?? standardLibrary,
    programDir: overrides.programDir ?? process.cwd(),
    signal: overrides.signal ?? new AbortController().signal,
    progress: overrides.progress ?? ((p) => { log?.push(p); }),
  };
}

/** The standard library's implementation of the stage op `op`. */
export function implementationOf(op: string): StageImplementation {
  const implementation = standardLibrary.implementationFor(op);
  if (!implementation) throw new Error(`the standard library has no implementation of '${op}'`);
  return implementation;
}

export async function runStage(op: string, params: { [key: string]: Json }, inputs: Record<string, Artifact> = {}, ctx = context()): Promise<Artifact> {
  return implementationOf(op)(stage(op, params), inputs, ctx);
}

export async function runCheckpoint(op: string, params: { [key: string]: Json }, inputs: Record<string, Artifact> = {}, ctx = context()): Promise<Checkpoint> {
  const out = await runStage(op, params, inputs, ctx);
  if (out.kind !== 'checkpoint') throw new Error(`${op} gave a ${out.kind}, not a checkpoint`);
  return out;
}

export async function runMask(op: string, params: { [key: string]: Json }, inputs: Record<string, Artifact>): Promise<Mask> {
  const out = await runStage(op, params, inputs);
  if (out.kind !== 'mask') throw new Error(`${op} gave a ${out.kind}, not a mask`);
  return out;
}

export async function runProbe(op: string, params: { [key: string]: Json }, inputs: Record<string, Artifact>, ctx = context()): Promise<ProbeResult> {
  const out = await runStage(op, params, inputs, ctx);
  if (out.kind !== 'probe') throw new Error(`${op} gave a ${out.kind}, not a probe result`);
  return out;
}

/** A model or dataset reference usable both as an OpRef and inside stage params (a type alias is Json). */
export type Ref = { op: string; version: number; params: { [key: string]: Json } };

export function mlp(input: number, hidden: number[], classes: number): Ref {
  return { op: 'mlp', version: 1, params: { input, hidden, classes, activation: 'relu', bias: true } };
}

/** A small, quickly learnt classification task: 3 Gaussian clusters in 6 dimensions. */
export const blobs: Ref = { op: 'gaussian_mixture', version: 1, params: { classes: 3, dim: 6, n: 150, seed: 1, separation: 4, test: 0.2 } };
export const digits: Ref = { op: 'digits', version: 1, params: { test: 0.2, seed: 0 } };

export function trainSplit(dataset: OpRef): Json {
  return { dataset: dataset as unknown as Json, split: 'train' };
}

export function testSplit(dataset: OpRef): Json {
  return { dataset: dataset as unknown as Json, split: 'test' };
}

export const sgdMomentum: { [key: string]: Json } = {
  op: 'sgd', version: 1, lr: 0.05, batch: 16, momentum: 0.9, nesterov: true, weight_decay: 0.01, warmup: 3,
  decay: { op: 'step', version: 1, at: [10, 20], factor: 0.5 },
};

export const adamCosine: { [key: string]: Json } = {
  op: 'adam', version: 1, lr: 0.01, batch: 16, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.001, warmup: 4,
  decay: { op: 'cosine', version: 1, final: 0.1 },
};

export const adamwCosine: { [key: string]: Json } = { ...adamCosine, op: 'adamw', weight_decay: 0.05 };

export async function initCheckpoint(model: OpRef, seed = 0): Promise<Checkpoint> {
  return runCheckpoint('init', { model: model as unknown as Json, scheme: 'kaiming_normal', seed });
}

/** Train params as the compiler emits them for the checkpoint at step `to` of a `steps`-long recipe. */
export function trainParams(model: OpRef, dataset: OpRef, optimizer: { [key: string]: Json }, steps: number, to: number, order = 0): { [key: string]: Json } {
  return { model: model as unknown as Json, data: trainSplit(dataset), optimizer, steps, order, to };
}

/** The bits of a float array, for exact comparisons that tell +0 from -0 and compare NaNs. */
export function bitsOf(data: Float32Array): Uint32Array {
  return new Uint32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}
