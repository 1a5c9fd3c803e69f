// mask_overlap: how much two keep-masks agree, as the Jaccard index |A∧B| / |A∨B| over the prunable
// weights, in total and per layer, next to what two random masks of the same densities would score.
//
// The chance baseline is the exact expectation of the Jaccard index of two independent masks drawn
// uniformly among those keeping exactly kA and kB of the n weights (random_mask keeps counts exactly):
// the intersection I is then hypergeometric and E[J] = Σ_i P(I = i) · i / (kA + kB − i). For equal
// densities d and large n this tends to d / (2 − d), for densities dA, dB to dA·dB / (dA + dB − dA·dB).
import type { Mask, ProbeResult } from '../../core/artifacts.ts';
import type { StageImplementation } from '../../core/op.ts';
import type { ModelLayout } from '../models/layout.ts';
import { arg, type LtxType } from '../signature.ts';
import { failing } from '../stage-support/failure.ts';
import { checkAllSameModel, layoutOf } from '../stage-support/models.ts';
import { maskInput } from '../stage-support/params.ts';
import { defineProbe } from './define.ts';

export interface OverlapCounts {
  /** Weights both masks keep. */
  intersection: number;
  /** Weights at least one mask keeps. */
  union: number;
  keptA: number;
  keptB: number;
  /** Weights compared. */
  total: number;
}

/** |A∧B| / |A∨B|; two masks that keep nothing are identical, so their overlap is 1. */
export function jaccard(counts: OverlapCounts): number {
  return counts.union === 0 ? 1 : counts.intersection / counts.union;
}

// Hypergeometric terms below this share of the mode's weight change E[J] by less than float precision.
const NEGLIGIBLE_TERM = 1e-20;

/**
 * E[J] of two independent uniformly random masks keeping exactly `keptA` and `keptB` of `total` weights.
 * Sums the hypergeometric distribution of the intersection outwards from its mode, where the terms are
 * largest, by the ratio of consecutive terms (no factorials, so no overflow for millions of weights).
 */
export function expectedRandomJaccard(total: number, keptA: number, keptB: number): number {
  if (!(Number.isInteger(total) && Number.isInteger(keptA) && Number.isInteger(keptB) && total >= 0 && keptA >= 0 && keptB >= 0 && keptA <= total && keptB <= total)) {
    throw new Error(`kept counts must be integers in [0, ${total}], got ${keptA} and ${keptB}`);
  }
  if (keptA === 0 && keptB === 0) return 1;
  if (keptA === 0 || keptB === 0) return 0;
  const low = Math.max(0, keptA + keptB - total);
  const high = Math.min(keptA, keptB);
  const mode = Math.min(high, Math.max(low, Math.floor(((keptA + 1) * (keptB + 1)) / (total + 2))));
  const jaccardAt = (i: number) => i / (keptA + keptB - i);
  let weightSum = 1;
  let weightedJaccard = jaccardAt(mode);
  let weight = 1;
  for (let i = mode + 1; i <= high; i++) {
    // P(i) / P(i − 1) = (kA − i + 1)(kB − i + 1) / (i (n − kA − kB + i))
    weight *= ((keptA - i + 1) * (keptB - i + 1)) / (i * (total - keptA - keptB + i));
    if (weight < NEGLIGIBLE_TERM) break;
    weightSum += weight;
    weightedJaccard += weight * jaccardAt(i);
  }
  weight = 1;
  for (let i = mode - 1; i >= low; i--) {
    // P(i) / P(i + 1) = (i + 1)(n − kA − kB + i + 1) / ((kA − i)(kB − i))
    weight *= ((i + 1) * (total - keptA - keptB + i + 1)) / ((keptA - i) * (keptB - i));
    if (weight < NEGLIGIBLE_TERM) break;
    weightSum += weight;
    weightedJaccard += weight * jaccardAt(i);
  }
  return weightedJaccard / weightSum;
}

/** (J − J_rand) / (1 − J_rand): 0 at chance, 1 for identical masks; undefined when chance is already 1. */
export function normalizedJaccard(observed: number, baseline: number): number | undefined {
  return baseline === 1 ? undefined : (observed - baseline) / (1 - baseline);
}

function overlapMetrics(counts: OverlapCounts): { [name: string]: number } {
  const observed = jaccard(counts);
  const baseline = expectedRandomJaccard(counts.total, counts.keptA, counts.keptB);
  const metrics: { [name: string]: number } = { jaccard: observed, baseline };
  const normalized = normalizedJaccard(observed, baseline);
  if (normalized !== undefined) metrics.jaccard_normalized = normalized;
  return {
    ...metrics,
    intersection: counts.intersection, union: counts.union, kept_a: counts.keptA, kept_b: counts.keptB, total: counts.total,
  };
}

/**
 * Per-layer random masks (random_mask's control keeps each layer's count) overlap more than masks random
 * over the whole network when layer densities differ; this is their expected Jaccard as the ratio of the
 * expected intersection and union, Σ kA·kB/n over Σ (kA + kB − kA·kB/n), exact up to O(1/n).
 */
function layerwiseBaseline(layers: OverlapCounts[]): number {
  let intersection = 0;
  let union = 0;
  for (const l of layers) {
    const expected = l.total === 0 ? 0 : (l.keptA * l.keptB) / l.total;
    intersection += expected;
    union += l.keptA + l.keptB - expected;
  }
  return union === 0 ? 1 : intersection / union;
}

/**
 * Metrics: jaccard, baseline (expected Jaccard of random masks with the same kept counts),
 * jaccard_normalized (absent where the baseline is 1), baseline_layerwise (total only), and the counts
 * intersection, union, kept_a, kept_b, total; in total over every prunable weight and per layer.
 * A parameter a mask does not cover counts as kept (dense).
 */
export function maskOverlap(layout: ModelLayout, a: Mask, b: Mask): ProbeResult {
  const layers = new Map<string, OverlapCounts>();
  for (const spec of layout.params) {
    if (!spec.prunable) continue;
    const size = spec.shape.reduce((x, y) => x * y, 1);
    const maskA = keepData(a, spec.name, size, 'first');
    const maskB = keepData(b, spec.name, size, 'second');
    let layer = layers.get(spec.layer);
    if (!layer) layers.set(spec.layer, (layer = { intersection: 0, union: 0, keptA: 0, keptB: 0, total: 0 }));
    for (let i = 0; i < size; i++) {
      const inA = maskA ? maskA[i] !== 0 : true;
      const inB = maskB ? maskB[i] !== 0 : true;
      if (inA) layer.keptA++;
      if (inB) layer.keptB++;
      if (inA && inB) layer.intersection++;
      if (inA || inB) layer.union++;
    }
    layer.total += size;
  }
  const total: OverlapCounts = { intersection: 0, union: 0, keptA: 0, keptB: 0, total: 0 };
  for (const l of layers.values()) {
    total.intersection += l.intersection;
    total.union += l.union;
    total.keptA += l.keptA;
    total.keptB += l.keptB;
    total.total += l.total;
  }
  return {
    kind: 'probe',
    metrics: { ...overlapMetrics(total), baseline_layerwise: layerwiseBaseline([...layers.values()]) },
    layers: Object.fromEntries([...layers].map(([name, counts]) => [name, overlapMetrics(counts)])),
  };
}

function keepData(mask: Mask, name: string, size: number, which: string): Uint8Array | undefined {
  const entry = mask.masks.get(name);
  if (entry && entry.data.length !== size) {
    throw new Error(`the ${which} mask has ${entry.data.length} values for '${name}', the model expects ${size}`);
  }
  return entry?.data;
}

/** The mask_overlap stage: masks `a` and `b` of one model. */
const maskOverlapStage: StageImplementation = async (stage, inputs, ctx) => {
  const a = maskInput(stage, inputs, 'a');
  const b = maskInput(stage, inputs, 'b');
  checkAllSameModel('mask_overlap', 'the two masks', [a.model, b.model]);
  const layout = layoutOf(a.model, ctx.library);
  return failing('mask_overlap', () => maskOverlap(layout, a, b));
};

const maskOrRun: LtxType[] = ['mask', 'run', 'checkpoint', 'family', 'lottery'];

export const maskOverlapModule = defineProbe({
  name: 'mask_overlap',
  summary: 'Jaccard overlap |A∧B|/|A∨B| of two masks, total and per layer, with the random-mask baseline d/(2−d). Metrics: jaccard, baseline.',
  version: 1,
  positional: ['a', 'b'],
  parameters: {
    a: arg.ref(maskOrRun, 'first mask (a run means the mask it trained under)'),
    b: arg.ref(maskOrRun, 'second mask'),
  },
  required: ['a', 'b'],
  lowering: { subjects: { a: 'mask', b: 'mask' } },
  implementation: maskOverlapStage,
  reporting: {
    metrics: ['jaccard', 'baseline', 'jaccard_normalized', 'baseline_layerwise', 'intersection', 'union', 'kept_a', 'kept_b', 'total'],
    figures: [{
      kind: 'pair-heatmap',
      metric: 'jaccard',
      title: 'Mask overlap',
      legend: 'Jaccard',
      pair: { subjects: ['a', 'b'], symbol: '∧' },
      caption: 'Jaccard overlap |A∧B| / |A∨B| of the kept weights of two masks, per layer and in total.',
      baseline: {
        metric: 'baseline',
        label: 'random baseline',
        caption: 'Two independent random masks of density d overlap d / (2 − d) on average; overlaps near the baseline mean the two tickets share no more structure than chance.',
      },
    }],
  },
});
