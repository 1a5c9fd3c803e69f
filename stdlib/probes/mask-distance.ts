// mask_distance: the early-bird distance of You et al. (2020), adapted to unstructured magnitude masks.
// Each checkpoint gets the magnitude mask that removes `sparsity` of its weights; the distance between
// two checkpoints is the normalized Hamming distance mean(m_a ≠ m_b) between their masks, over the
// weights the masks rank (prunable, outside `skip`). A small distance between consecutive checkpoints
// means the mask has settled: the early-bird ticket can be drawn.
import type { Checkpoint, ProbeResult } from '../../core/artifacts.ts';
import type { StageImplementation } from '../../core/op.ts';
import type { ModelLayout } from '../models/layout.ts';
import { applyMask, magnitudeMasks, matchesAny, type MaskMap } from '../pruning/index.ts';
import { arg } from '../signature.ts';
import { failing } from '../stage-support/failure.ts';
import { checkAllSameModel, layoutOf } from '../stage-support/models.ts';
import { checkpointInput, numberParam, stringListParam, stringParam } from '../stage-support/params.ts';
import { defineProbe } from './define.ts';

export interface EarlyBirdOptions {
  /** Share of the ranked weights each mask removes, in [0, 1). */
  sparsity: number;
  /** global: one ranking over every ranked layer; layerwise: `sparsity` of each layer. */
  scope: 'global' | 'layerwise';
  /** Layers (globs) left out of the masks and of the distance. */
  skip: readonly string[];
}

/**
 * The magnitude mask of a checkpoint at `sparsity` of its ranked weights. Weights its training mask
 * pruned count as |w| = 0, so they are the first to go (ties in |w| by position, as magnitude pruning).
 */
export function earlyBirdMask(layout: ModelLayout, checkpoint: Pick<Checkpoint, 'weights' | 'mask'>, options: EarlyBirdOptions): MaskMap {
  const weights = checkpoint.mask ? applyMask(checkpoint.weights, checkpoint.mask.masks) : checkpoint.weights;
  return magnitudeMasks(layout, weights, undefined, { rate: options.sparsity, scope: options.scope, skip: options.skip, rates: {} });
}

interface Disagreement {
  changed: number;
  total: number;
}

/**
 * Metrics: hamming (share of ranked weights whose keep/prune decision differs), changed and total
 * (counts), in total and per ranked layer.
 */
export function maskHamming(layout: ModelLayout, a: MaskMap, b: MaskMap, skip: readonly string[]): ProbeResult {
  const layers = new Map<string, Disagreement>();
  for (const spec of layout.params) {
    if (!spec.prunable || matchesAny(skip, spec.layer)) continue;
    const maskA = a.get(spec.name);
    const maskB = b.get(spec.name);
    if (!maskA || !maskB) throw new Error(`a mask has no entry for '${spec.name}'`);
    if (maskA.data.length !== maskB.data.length) throw new Error(`the masks of '${spec.name}' differ in size`);
    let layer = layers.get(spec.layer);
    if (!layer) layers.set(spec.layer, (layer = { changed: 0, total: 0 }));
    for (let i = 0; i < maskA.data.length; i++) if (maskA.data[i] !== maskB.data[i]) layer.changed++;
    layer.total += maskA.data.length;
  }
  if (layers.size === 0) throw new Error(`skip ${JSON.stringify(skip)} leaves no prunable layer to compare`);
  const total: Disagreement = { changed: 0, total: 0 };
  for (const l of layers.values()) {
    total.changed += l.changed;
    total.total += l.total;
  }
  const row = (d: Disagreement) => ({ hamming: d.changed / d.total, changed: d.changed, total: d.total });
  return {
    kind: 'probe',
    metrics: row(total),
    layers: Object.fromEntries([...layers].map(([name, d]) => [name, row(d)])),
  };
}

/** The early-bird distance between two checkpoints of one model. */
export function maskDistance(
  layout: ModelLayout,
  a: Pick<Checkpoint, 'weights' | 'mask'>,
  b: Pick<Checkpoint, 'weights' | 'mask'>,
  options: EarlyBirdOptions,
): ProbeResult {
  return maskHamming(layout, earlyBirdMask(layout, a, options), earlyBirdMask(layout, b, options), options.skip);
}

/** The mask_distance stage: checkpoints `a` and `b`, consecutive members of one family. */
const maskDistanceStage: StageImplementation = async (stage, inputs, ctx) => {
  const a = checkpointInput(stage, inputs, 'a');
  const b = checkpointInput(stage, inputs, 'b');
  checkAllSameModel('mask_distance', 'the two checkpoints', [a.model, b.model]);
  const layout = layoutOf(a.model, ctx.library);
  const options: EarlyBirdOptions = {
    sparsity: numberParam(stage.params, 'sparsity'),
    scope: stringParam(stage.params, 'scope', ['global', 'layerwise'] as const),
    skip: stringListParam(stage.params, 'skip'),
  };
  return failing('mask_distance', () => maskDistance(layout, a, b, options));
};

export const maskDistanceModule = defineProbe({
  name: 'mask_distance',
  summary: 'Early-bird mask distance (You et al. 2020): normalized Hamming distance between the magnitude masks of consecutive checkpoints of RUN @ every N. Metric: hamming.',
  version: 1,
  positional: ['x'],
  parameters: {
    x: arg.ref(['family', 'lottery'], 'checkpoints, usually RUN @ every N'),
    sparsity: arg.fraction('share of the prunable weights removed by each magnitude mask', { exclusiveMaximum: 1, default: 0.5 }),
    scope: arg.oneOf(['global', 'layerwise'], 'how each mask ranks weights', 'global'),
    skip: { type: 'array', items: { type: 'string' }, default: [], description: 'layers left out of the masks' },
  },
  required: ['x'],
  lowering: { subjects: { x: 'weights' }, pairing: 'consecutive' },
  implementation: maskDistanceStage,
  reporting: {
    metrics: ['hamming', 'changed', 'total'],
    figures: [{
      kind: 'trajectory',
      metrics: ['hamming'],
      caption: 'Early-bird mask distance (You et al. 2020): the normalized Hamming distance between the magnitude masks of consecutive checkpoints; it falls to near 0 once the ticket has emerged.',
    }],
  },
});
