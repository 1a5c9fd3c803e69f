// weight_distance: the Euclidean distance between two sets of weights of one model, ‖A − B‖₂, and the
// distance relative to B, ‖A − B‖₂ / ‖B‖₂ (B is the reference: with B the init, it is the relative
// distance travelled from init). Every trained parameter counts: kernels, biases, norm scales and
// shifts, embeddings; batch-norm running statistics (buffers) do not, since no gradient moves them.
// Sums run in float64.
import type { ProbeResult, TensorValue } from '../../core/artifacts.ts';
import type { StageImplementation } from '../../core/op.ts';
import type { ModelLayout } from '../models/layout.ts';
import { arg } from '../signature.ts';
import { failing } from '../stage-support/failure.ts';
import { checkAllSameModel, layoutOf } from '../stage-support/models.ts';
import { checkpointInput } from '../stage-support/params.ts';
import { defineProbe, WEIGHTS } from './define.ts';

interface SquaredSums {
  difference: number;
  a: number;
  b: number;
}

function distanceMetrics(sums: SquaredSums): { [name: string]: number } {
  const l2 = Math.sqrt(sums.difference);
  const normA = Math.sqrt(sums.a);
  const normB = Math.sqrt(sums.b);
  const metrics: { [name: string]: number } = { l2 };
  // Relative to a zero reference is undefined (absent), except that zero from zero is no change at all.
  if (normB > 0 || l2 === 0) metrics.relative = l2 === 0 ? 0 : l2 / normB;
  metrics.norm_a = normA;
  metrics.norm_b = normB;
  return metrics;
}

/**
 * Metrics: l2, relative (absent when ‖B‖ = 0 and A ≠ B), norm_a, norm_b; in total over every trained
 * parameter and per layer.
 */
export function weightDistance(layout: ModelLayout, a: ReadonlyMap<string, TensorValue>, b: ReadonlyMap<string, TensorValue>): ProbeResult {
  const layers = new Map<string, SquaredSums>();
  for (const spec of layout.params) {
    if (spec.role === 'buffer') continue;
    const size = spec.shape.reduce((x, y) => x * y, 1);
    const wa = parameter(a, spec.name, size, 'first');
    const wb = parameter(b, spec.name, size, 'second');
    let layer = layers.get(spec.layer);
    if (!layer) layers.set(spec.layer, (layer = { difference: 0, a: 0, b: 0 }));
    for (let i = 0; i < size; i++) {
      const x = wa[i]!;
      const y = wb[i]!;
      layer.difference += (x - y) * (x - y);
      layer.a += x * x;
      layer.b += y * y;
    }
  }
  const total: SquaredSums = { difference: 0, a: 0, b: 0 };
  for (const l of layers.values()) {
    total.difference += l.difference;
    total.a += l.a;
    total.b += l.b;
  }
  return {
    kind: 'probe',
    metrics: distanceMetrics(total),
    layers: Object.fromEntries([...layers].map(([name, sums]) => [name, distanceMetrics(sums)])),
  };
}

function parameter(weights: ReadonlyMap<string, TensorValue>, name: string, size: number, which: string): Float32Array {
  const w = weights.get(name);
  if (!w) throw new Error(`the ${which} weights have no parameter '${name}'`);
  if (w.data.length !== size) throw new Error(`'${name}' of the ${which} weights has ${w.data.length} values, the model expects ${size}`);
  return w.data;
}

/** The weight_distance stage: checkpoints `a` and `b` of one model. */
const weightDistanceStage: StageImplementation = async (stage, inputs, ctx) => {
  const a = checkpointInput(stage, inputs, 'a');
  const b = checkpointInput(stage, inputs, 'b');
  checkAllSameModel('weight_distance', 'the two sets of weights', [a.model, b.model]);
  const layout = layoutOf(a.model, ctx.library);
  return failing('weight_distance', () => weightDistance(layout, a.weights, b.weights));
};

export const weightDistanceModule = defineProbe({
  name: 'weight_distance',
  summary: 'L2 distance between two sets of weights and the relative distance ‖A−B‖/‖B‖, total and per layer. Metrics: l2, relative.',
  version: 1,
  positional: ['a', 'b'],
  parameters: { a: arg.ref(WEIGHTS, 'first weights'), b: arg.ref(WEIGHTS, 'second weights (the reference of relative)') },
  required: ['a', 'b'],
  lowering: { subjects: { a: 'weights', b: 'weights' } },
  implementation: weightDistanceStage,
  reporting: {
    metrics: ['relative', 'l2', 'norm_a', 'norm_b'],
    figures: [{ kind: 'trajectory', metrics: ['relative'], caption: 'Relative distance ‖A − B‖ / ‖B‖ between the two weights.' }],
  },
});
