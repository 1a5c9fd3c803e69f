// Magnitude pruning (Han et al. 2015; Frankle & Carbin 2019): remove `rate` of the weights the current
// mask still keeps, those of smallest |w|. Counts are exact: a group of K kept weights loses round(rate·K),
// ties in |w| broken by position (parameters in layout order, then element index).
import type { Mask } from '../../core/artifacts.ts';
import type { OpModule, StageImplementation } from '../../core/op.ts';
import type { ModelLayout, ParamSpec } from '../models/layout.ts';
import { arg, signatureOf } from '../signature.ts';
import { failing } from '../stage-support/failure.ts';
import { checkSameModel, layoutOf } from '../stage-support/models.ts';
import { checkpointInput, numberParam, rateRecordParam, stringListParam, stringParam } from '../stage-support/params.ts';
import { matchesAny, rateFor } from './layer-globs.ts';
import { PRUNING_OPTIONS, REMOVAL_RATE } from './params.ts';
import type { MaskMap } from './types.ts';

export interface MagnitudeOptions {
  /** Share of the remaining weights removed. */
  rate: number;
  /** global: one ranking over every pruned layer; layerwise: one ranking per layer. */
  scope: 'global' | 'layerwise';
  /** Layers (globs) that keep their current mask. */
  skip: readonly string[];
  /** Per-layer rates (globs); such a layer is ranked on its own, also under scope global. */
  rates: Readonly<Record<string, number>>;
}

interface Group {
  rate: number;
  params: { spec: ParamSpec; weights: Float32Array; keep: Uint8Array }[];
}

/**
 * The new keep-masks of every prunable parameter of `layout`, from the weights and the mask they trained
 * under (`current`; absent = dense).
 */
export function magnitudeMasks(
  layout: ModelLayout,
  weights: ReadonlyMap<string, { data: Float32Array }>,
  current: MaskMap | undefined,
  options: MagnitudeOptions,
): MaskMap {
  checkRate(options.rate, 'rate');
  for (const [pattern, rate] of Object.entries(options.rates)) checkRate(rate, `rates.${pattern}`);
  const masks: MaskMap = new Map();
  const groups = new Map<string, Group>();
  for (const spec of layout.params) {
    if (!spec.prunable) continue;
    const w = weights.get(spec.name);
    if (!w) throw new Error(`the weights have no prunable parameter '${spec.name}'`);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (w.data.length !== size) throw new Error(`'${spec.name}' has ${w.data.length} values, the model expects ${size}`);
    const previous = current?.get(spec.name);
    if (previous && previous.data.length !== size) throw new Error(`the mask of '${spec.name}' has ${previous.data.length} values, the model expects ${size}`);
    const keep = previous ? Uint8Array.from(previous.data) : new Uint8Array(size).fill(1);
    masks.set(spec.name, { shape: [...spec.shape], data: keep });
    if (matchesAny(options.skip, spec.layer)) continue;
    const own = rateFor(spec.layer, options.rates);
    const groupKey = own !== undefined || options.scope === 'layerwise' ? `layer:${spec.layer}` : 'global';
    let group = groups.get(groupKey);
    if (!group) groups.set(groupKey, (group = { rate: own ?? options.rate, params: [] }));
    group.params.push({ spec, weights: w.data, keep });
  }
  for (const group of groups.values()) pruneGroup(group);
  return masks;
}

function checkRate(rate: number, what: string): void {
  if (!(rate >= 0 && rate < 1)) throw new Error(`${what} must be in [0, 1), got ${rate}`);
}

/** Removes round(rate · kept) of the group's kept weights, smallest |w| first, ties by position. */
function pruneGroup(group: Group): void {
  let kept = 0;
  for (const p of group.params) for (let i = 0; i < p.keep.length; i++) kept += p.keep[i]!;
  const remove = Math.round(group.rate * kept);
  if (remove === 0) return;
  const magnitudes = new Float32Array(kept);
  let j = 0;
  for (const p of group.params) {
    for (let i = 0; i < p.keep.length; i++) if (p.keep[i]) magnitudes[j++] = Math.abs(p.weights[i]!);
  }
  // The remove-th smallest magnitude is the threshold: everything below it goes, and of the weights
  // equal to it, the first ones by position until the count is reached.
  const sorted = magnitudes.slice().sort();
  const threshold = sorted[remove - 1]!;
  let below = 0;
  while (below < remove && sorted[below]! < threshold) below++;
  let tiesToRemove = remove - below;
  for (const p of group.params) {
    for (let i = 0; i < p.keep.length; i++) {
      if (!p.keep[i]) continue;
      const m = Math.abs(p.weights[i]!);
      // Compare as float32, the precision the magnitudes were sorted in.
      const magnitude = Math.fround(m);
      if (magnitude < threshold) p.keep[i] = 0;
      else if (magnitude === threshold && tiesToRemove > 0) {
        p.keep[i] = 0;
        tiesToRemove--;
      }
    }
  }
}

/** The magnitude stage: the mask of input `weights` pruned by `rate`. */
const magnitudeStage: StageImplementation = async (stage, inputs, ctx) => {
  const weights = checkpointInput(stage, inputs, 'weights');
  const layout = layoutOf(weights.model, ctx.library);
  if (weights.mask) checkSameModel(weights.mask.model, weights.model, (m, w) => `magnitude: the checkpoint's mask was made for ${m}, but its weights are of ${w}`);
  const options: MagnitudeOptions = {
    rate: numberParam(stage.params, 'rate'),
    scope: stringParam(stage.params, 'scope', ['global', 'layerwise'] as const),
    skip: stringListParam(stage.params, 'skip'),
    rates: rateRecordParam(stage.params, 'rates'),
  };
  const masks = await failing('magnitude', () => magnitudeMasks(layout, weights.weights, weights.mask?.masks, options));
  const mask: Mask = { kind: 'mask', model: weights.model, masks };
  return mask;
};

export const magnitudeModule: OpModule = {
  ...signatureOf({
    name: 'magnitude',
    summary: 'Magnitude pruning: remove `rate` of the remaining prunable weights with the smallest |w| (globally or per layer).',
    version: 1,
    positional: ['weights'],
    parameters: { weights: arg.ref(['run', 'checkpoint'], 'the trained weights to rank'), rate: REMOVAL_RATE, ...PRUNING_OPTIONS },
    required: ['weights', 'rate'],
  }, 'pruning', 'mask'),
  lowering: { rule: 'magnitude-mask' },
  implementation: magnitudeStage,
};
