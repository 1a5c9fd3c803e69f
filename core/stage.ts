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

export interface Stage extends Preimage {
  key: Sha256Hex;
  kind: StageKind;
  /** Display name: the first declaration that produced it, e.g. `dense 0→500`, `m[3]`, `acc[3]`. */
  name: string;
  /** Every name that compiles to this stage. */
  names: string[];
  origin: Origin;
}

export function preimageOf(stage: Stage): Preimage {
  return { op: stage.op, version: stage.version, params: stage.params, inputs: stage.inputs };
}
