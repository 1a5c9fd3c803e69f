// A stage: the unit the compiler produces, the store caches and the runtime computes. Its key is the
// SHA-256 of its preimage (op, op version, parameters with defaults, input keys), so equal work has one
// key wherever it is declared, and a changed op version re-keys every stage the op produced.
import { sha256Hex, type Sha256Hex } from './hash.ts';
import { canonicalJson, type Json } from './json.ts';
import type { Origin } from './source.ts';

export type StageKind = 'init' | 'train' | 'mask' | 'rewind' | 'reinit' | 'probe';

/** What a stage key is the hash of. Names, comments, layout, order and file paths never enter it. */
export interface Preimage {
  op: string;
  version: number;
  params: { [key: string]: Json };
  /** Role → input stage key. */
  inputs: { [role: string]: string };
}

export function stageKey(preimage: Preimage): Sha256Hex {
  return sha256Hex(canonicalJson(preimage as unknown as Json));
}

/**
 * Which checkpoint of which training run a stage is (core/run-point.ts); not part of its key (the key
 * covers the same facts).
 */
export interface RunPoint {
  /** The run's identity: the hash of its recipe preimage without the step. */
  run: Sha256Hex;
  step: number;
  /**
   * Where the program's previous stage of this run ends (or the run's start): where this stage's work
   * begins when the run's earlier stages are cached. For estimates and display only.
   */
  from: number;
}

export interface Stage extends Preimage {
  key: Sha256Hex;
  kind: StageKind;
  /** Display name: the first declaration that produced it, e.g. `dense 0→500`, `m[3]`, `acc[3]`. */
  name: string;
  /** Every name that compiles to this stage. */
  names: string[];
  origin: Origin;
  /** The checkpoint of a training run this stage computes (train stages): run and step. */
  runPoint?: RunPoint;
  /**
   * Stages to finish first although this one does not read them: the earlier checkpoints of its run, so
   * one run's stages are computed in order and none repeats another's work. Scheduling only: not in the key.
   */
  after?: string[];
}

/** Every stage that must have its result before this one is computed: its inputs, then its `after`. */
export function stageDependencies(stage: Stage): string[] {
  return [...new Set([...Object.values(stage.inputs), ...(stage.after ?? [])])];
}

export function preimageOf(stage: Stage): Preimage {
  return { op: stage.op, version: stage.version, params: stage.params, inputs: stage.inputs };
}
