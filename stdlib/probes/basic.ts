// The sparsity of a mask (or of the mask a checkpoint trains under), in total and per layer, and the
// share of prunable weights kept that every row of accuracy and loss carries. Plain arithmetic on the
// masks: no tensors.
import type { Checkpoint, Mask, ProbeResult } from '../../core/artifacts.ts';
import type { ModelLayout } from '../models/layout.ts';

/** The share of prunable weights of `layout` that the mask of `x` keeps (1 for a dense checkpoint). */
export function remainingOf(x: Checkpoint | Mask, layout: ModelLayout): number {
  const { kept, total } = keptCounts(x, layout).all;
  return total === 0 ? 1 : kept / total;
}

interface Counts {
  kept: number;
  total: number;
}

/** Kept and total prunable weights, in all and per layer. A checkpoint without a mask is dense. */
function keptCounts(x: Checkpoint | Mask, layout: ModelLayout): { all: Counts; layers: { [layer: string]: Counts } } {
  const mask = x.kind === 'mask' ? x : x.mask;
  const layers: { [layer: string]: Counts } = {};
  const all = { kept: 0, total: 0 };
  for (const spec of layout.params) {
    if (!spec.prunable) continue;
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const data = mask?.masks.get(spec.name)?.data;
    let k = size;
    if (data) {
      k = 0;
      for (let i = 0; i < data.length; i++) k += data[i]!;
    }
    const layer = (layers[spec.layer] ??= { kept: 0, total: 0 });
    layer.kept += k;
    layer.total += size;
    all.kept += k;
    all.total += size;
  }
  return { all, layers };
}

/**
 * Metrics: remaining and sparsity (shares of the prunable weights kept and removed), kept and total
 * (counts), in total and per layer. A checkpoint without a mask is dense.
 */
export function sparsityProbe(x: Checkpoint | Mask, layout: ModelLayout): ProbeResult {
  const { all, layers } = keptCounts(x, layout);
  const row = (k: number, t: number) => ({ remaining: t === 0 ? 1 : k / t, sparsity: t === 0 ? 0 : (t - k) / t, kept: k, total: t });
  return {
    kind: 'probe',
    metrics: row(all.kept, all.total),
    layers: Object.fromEntries(Object.entries(layers).map(([name, c]) => [name, row(c.kept, c.total)])),
  };
}

