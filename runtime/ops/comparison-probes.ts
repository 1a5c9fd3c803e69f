// The probes that compare two or more subjects, as stages: mask_overlap (two masks), mask_distance (two
// consecutive checkpoints), weight_distance (two checkpoints) and instability (the trained copies,
// inputs copies0, copies1, …). The math is in stdlib/probes/; this reads params and inputs and turns
// every problem into a StageFailure.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Stage } from '../../core/stage.ts';
import { instabilityProbe } from '../../stdlib/probes/instability.ts';
import { maskDistance } from '../../stdlib/probes/mask-distance.ts';
import { maskOverlap } from '../../stdlib/probes/mask-overlap.ts';
import { weightDistance } from '../../stdlib/probes/weight-distance.ts';
import type { Artifact, Checkpoint, OpRef } from '../../core/artifacts.ts';
import { failing, StageFailure, throwIfAborted } from './context.ts';
import { checkFits, checkSameModel, datasetFor, layoutOf } from './models.ts';
import { checkpointInput, dataParam, integerParam, maskInput, numberParam, stringListParam, stringParam } from './params.ts';
import type { StageImplementation } from './registry.ts';

function sameModel(op: string, a: OpRef, b: OpRef, what: string): void {
  checkSameModel(a, b, (x, y) => `${op}: ${what} are of different models, ${x} and ${y}`);
}

export const maskOverlapStage: StageImplementation = async (stage, inputs) => {
  const a = maskInput(stage, inputs, 'a');
  const b = maskInput(stage, inputs, 'b');
  sameModel('mask_overlap', a.model, b.model, 'the two masks');
  const layout = layoutOf(a.model);
  return failing('mask_overlap', () => maskOverlap(layout, a, b));
};

export const maskDistanceStage: StageImplementation = async (stage, inputs) => {
  const a = checkpointInput(stage, inputs, 'a');
  const b = checkpointInput(stage, inputs, 'b');
  sameModel('mask_distance', a.model, b.model, 'the two checkpoints');
  const layout = layoutOf(a.model);
  const options = {
    sparsity: numberParam(stage.params, 'sparsity', 0.5),
    scope: stringParam(stage.params, 'scope', ['global', 'layerwise'] as const, 'global'),
    skip: stringListParam(stage.params, 'skip'),
  };
  return failing('mask_distance', () => maskDistance(layout, a, b, options));
};

export const weightDistanceStage: StageImplementation = async (stage, inputs) => {
  const a = checkpointInput(stage, inputs, 'a');
  const b = checkpointInput(stage, inputs, 'b');
  sameModel('weight_distance', a.model, b.model, 'the two sets of weights');
  const layout = layoutOf(a.model);
  return failing('weight_distance', () => weightDistance(layout, a.weights, b.weights));
};

/** The copies' final checkpoints, by the number after `copies` in their input role. */
function copiesOf(stage: Stage, inputs: Record<string, Artifact>): Checkpoint[] {
  const roles = Object.keys(inputs)
    .map((role) => /^copies(\d+)$/.exec(role))
    .filter((match): match is RegExpExecArray => match !== null)
    .sort((x, y) => Number(x[1]) - Number(y[1]))
    .map((match) => match[0]);
  if (roles.length < 2) throw new StageFailure(`instability needs the final checkpoints of at least two copies (inputs copies0, copies1, …), got ${roles.length}`);
  return roles.map((role) => checkpointInput(stage, inputs, role));
}

export const instabilityStage: StageImplementation = async (stage, inputs, ctx) => {
  const copies = copiesOf(stage, inputs);
  const first = copies[0]!;
  for (const copy of copies.slice(1)) sameModel('instability', first.model, copy.model, 'the copies');
  const points = integerParam(stage.params, 'points', 11);
  if (points < 2) throw new StageFailure(`parameter 'points' must be at least 2, got ${points}`);
  const on = dataParam(stage.params, 'on');
  const layout = layoutOf(first.model);
  const dataset = await datasetFor(on.dataset, ctx);
  checkFits(layout, dataset);
  return failing('instability', () => instabilityProbe({
    copies, dataset, split: on.split, points,
    beforeEvaluation: async (done, total) => {
      // Evaluations run synchronously: give the event loop a turn so that an abort can arrive.
      await nextTurn();
      throwIfAborted(ctx.signal);
      ctx.progress({ step: done, total });
    },
  }));
};
