// Values of the language after evaluation. Computed artifacts (weights, masks, probe results) are
// symbolic nodes here: phase 1 builds them, phase 2 (stages.ts) turns them into content-hashed stages once
// every split point of every run is known.
import type { SourceRange } from '../lang/ast.ts';
import type { DataShape, ModelIO } from '../core/data-fit.ts';
import type { LtxType } from '../core/op.ts';
import type { Json } from '../core/json.ts';

import type { Origin } from '../core/source.ts';

export type { Origin };

/** A function applied to validated parameters: a dataset, model, optimizer or schedule description. */
export interface OpDescriptor {
  op: string;
  version: number;
  params: { [key: string]: Json };
}

export interface DatasetDescriptor extends OpDescriptor {
  /** Train/test sizes when known at compile time (for epochs → steps). */
  sizes?: { train: number; test: number };
  /** What its examples are, when known before loading: models put on it are checked against it. */
  shape?: DataShape;
}

export interface ModelDescriptor extends OpDescriptor {
  prunableLayers: string[];
  /** What the representation probes' `layer:` may name (ModelShape.hiddenLayers). */
  hiddenLayers: string[];
  io: ModelIO;
}

export interface SplitRef {
  dataset: DatasetDescriptor;
  split: 'train' | 'test';
}

/** The quantity as written; resolved to steps where the dataset and batch size are known. */
export interface QuantityValue {
  amount: number;
  unit: 'steps' | 'epochs';
}

/** Where a symbolic node came from, for stage names in `plan` and for diagnostics. */
export interface NodeLabel {
  name: string;
  origin: Origin;
}

// Every node that becomes a stage carries its stage op and the version of the op module it comes from.

export interface InitNode {
  node: 'init';
  /** The stage op of inits (the scheme is a parameter). */
  op: string;
  scheme: string;
  version: number;
  model: ModelDescriptor;
  params: { [key: string]: Json };
  label: NodeLabel;
}

export interface AtNode {
  node: 'at';
  run: RunNode;
  step: number;
}

export interface RewindNode {
  node: 'rewind';
  op: string;
  version: number;
  source: CheckpointNode;
  mask: MaskNode;
  label: NodeLabel;
}

export interface ReinitNode {
  node: 'reinit';
  op: string;
  version: number;
  init: InitNode;
  mask: MaskNode;
  seed: number;
  label: NodeLabel;
}

export type CheckpointNode = InitNode | AtNode | RewindNode | ReinitNode;

/** A training run: from `start` (at step startStep) to step `steps` of its recipe. */
export interface RunNode {
  node: 'run';
  op: string;
  version: number;
  start: CheckpointNode;
  startStep: number;
  model: ModelDescriptor;
  data: SplitRef;
  optimizer: { [key: string]: Json };
  batch: number;
  steps: number;
  order: number;
  label: NodeLabel;
}

export interface MagnitudeMaskNode {
  node: 'mask';
  rule: 'magnitude-mask';
  op: string;
  version: number;
  weights: CheckpointNode;
  params: { [key: string]: Json };
  label: NodeLabel;
}

export interface RandomMaskNode {
  node: 'mask';
  rule: 'random-mask';
  op: string;
  version: number;
  like: MaskNode;
  seed: number;
  label: NodeLabel;
}

export type MaskNode = MagnitudeMaskNode | RandomMaskNode;

/** One coordinate of a family member or probe row: a loop variable, `level` or `step`. */
export type Coordinates = { [name: string]: number | string };

export interface FamilyMember {
  coords: Coordinates;
  /** How the member is written, e.g. `t[3]`, `imp[2]`, `dense @ 500 steps`. */
  label: string;
  value: Value;
  /** The run this member is a checkpoint of (`RUN @ every N`): whose recipe copies of it follow, even at its start. */
  run?: RunNode;
}

/** A probe's subject after family expansion: one probe stage per row. */
export interface ProbeRowPlan {
  coords: Coordinates;
  label: string;
  /** The label of each subject by its role (`a`, `b`, `x`, …). */
  labels: { [role: string]: string };
  /** Role → weights, mask or run of this row. */
  subjects: { [role: string]: ProbeSubject };
}

export type ProbeSubject =
  | { kind: 'checkpoint'; node: CheckpointNode }
  | { kind: 'mask'; node: MaskNode }
  | { kind: 'checkpoints'; nodes: CheckpointNode[] };

export interface ProbeNode {
  node: 'probe';
  op: string;
  version: number;
  params: { [key: string]: Json };
  rows: ProbeRowPlan[];
  label: NodeLabel;
}

export type Value =
  | { type: 'number'; value: number }
  | { type: 'string'; value: string }
  | { type: 'boolean'; value: boolean }
  | { type: 'quantity'; value: QuantityValue }
  /** `coords`: an item written as a declared member (`t[3]`) carries that member's coordinates. */
  | { type: 'list'; items: Value[]; coords?: (Coordinates | undefined)[] }
  | { type: 'record'; entries: { key: string; value: Value }[] }
  /** A bare name that no declaration defines: an enum value such as `global`, or an error at use. */
  | { type: 'symbol'; name: string; origin: Origin }
  | { type: 'dataset'; dataset: DatasetDescriptor }
  | { type: 'split'; split: SplitRef }
  | { type: 'model'; model: ModelDescriptor }
  | { type: 'init'; node: InitNode }
  | { type: 'checkpoint'; node: CheckpointNode }
  | { type: 'optimizer'; optimizer: OpDescriptor }
  | { type: 'schedule'; schedule: OpDescriptor }
  | { type: 'run'; node: RunNode }
  | { type: 'mask'; node: MaskNode }
  | { type: 'family'; members: FamilyMember[] }
  | { type: 'lottery'; members: FamilyMember[]; base: RunNode }
  | { type: 'probe'; node: ProbeNode }
  /** Stands for a value whose error has already been reported; never reported again. */
  | { type: 'error' };

export type ValueType = Value['type'];

/** The article-and-noun phrase for a type in messages ("a run", "an optimizer"). */
export function describeType(type: ValueType | LtxType): string {
  const phrases: Record<string, string> = {
    number: 'a number', string: 'a string', boolean: 'a boolean', quantity: 'a quantity (e.g. 500 steps)',
    list: 'a list', record: 'a record', symbol: 'a name', dataset: 'a dataset', split: 'a dataset split',
    model: 'a model', init: 'an init', checkpoint: 'a checkpoint', optimizer: 'an optimizer',
    schedule: 'a schedule', run: 'a training run', mask: 'a mask', family: 'a family',
    lottery: 'a lottery', probe: 'a probe', error: 'an invalid value',
  };
  return phrases[type] ?? type;
}

/** The checkpoint a value stands for where weights are expected (a run means its final checkpoint). */
export function checkpointOf(value: Value): CheckpointNode | undefined {
  switch (value.type) {
    case 'init': return value.node;
    case 'checkpoint': return value.node;
    case 'run': return finalCheckpoint(value.node);
    default: return undefined;
  }
}

export function finalCheckpoint(run: RunNode): AtNode {
  return { node: 'at', run, step: run.steps };
}

/** The step a checkpoint is at. */
export function stepOf(node: CheckpointNode): number {
  switch (node.node) {
    case 'init': return 0;
    case 'at': return node.step;
    case 'rewind': return stepOf(node.source);
    case 'reinit': return 0;
  }
}

/** The mask a checkpoint carries (the one its run trained under), if any. */
export function maskOf(node: CheckpointNode): MaskNode | undefined {
  switch (node.node) {
    case 'init': return undefined;
    case 'at': return maskOf(node.run.start);
    case 'rewind': return node.mask;
    case 'reinit': return node.mask;
  }
}

/** The model a checkpoint's weights belong to. */
export function modelOf(node: CheckpointNode): ModelDescriptor {
  switch (node.node) {
    case 'init': return node.model;
    case 'at': return node.run.model;
    case 'rewind': return modelOf(node.source);
    case 'reinit': return node.init.model;
  }
}
