// cka(A, B, on:, layer:, samples:, seed:): linear centered kernel alignment (Kornblith et al. 2019)
// between the hidden representations of two networks on the same probe inputs, per hidden layer:
//   CKA(X, Y) = ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F)      X [N, p], Y [N, q], each unit's mean subtracted
// It is 1 for representations equal up to an orthogonal transform and an isotropic scaling (so for a
// network against itself with its hidden units permuted), and near 0 for unrelated ones; the two layers
// may have different widths. The metric `cka` is the mean over the layers compared; per layer in
// `layers`. A layer whose units are all constant on the probe inputs has no CKA (left out).
// Representations, probe inputs and the models that expose them: representations.ts.
import type { ProbeResult } from '../../core/artifacts.ts';
import { centeredColumns, crossProduct, type Representation } from './representation-math.ts';
import { defineRepresentationProbe } from './representation-probe.ts';
import type { RepresentationPair } from './representations.ts';

function squaredNorm(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v * v;
  return sum;
}

/** Linear CKA of two representations of the same inputs; undefined when either is constant. */
export function linearCka(x: Representation, y: Representation): number | undefined {
  const xc = centeredColumns(x);
  const yc = centeredColumns(y);
  const cross = squaredNorm(crossProduct(yc, xc));
  const norms = Math.sqrt(squaredNorm(crossProduct(xc, xc)) * squaredNorm(crossProduct(yc, yc)));
  if (!(norms > 0)) return undefined;
  // Cauchy–Schwarz bounds it by 1; rounding must not print 1 + 1e-16 as a measurement.
  return Math.min(1, cross / norms);
}

export function ckaProbe(pair: RepresentationPair): ProbeResult {
  const layers: { [layer: string]: { [name: string]: number } } = {};
  const values: number[] = [];
  for (const layer of pair.layers) {
    const value = linearCka(pair.a.get(layer)!, pair.b.get(layer)!);
    if (value === undefined) continue;
    layers[layer] = { cka: value };
    values.push(value);
  }
  const metrics: { [name: string]: number } = {};
  if (values.length > 0) metrics.cka = values.reduce((a, b) => a + b, 0) / values.length;
  metrics.samples = pair.samples;
  return { kind: 'probe', metrics, layers };
}

export const ckaModule = defineRepresentationProbe({
  name: 'cka',
  summary: 'Linear CKA (Kornblith et al. 2019) between two networks\' hidden representations on `samples` inputs, per hidden layer; 1 = the same up to rotation and scale. Metric: cka.',
  version: 1,
  compare: ckaProbe,
  reporting: {
    metrics: ['cka', 'samples'],
    figures: [{
      kind: 'pair-heatmap',
      metric: 'cka',
      title: 'Linear CKA',
      legend: 'CKA',
      pair: { subjects: ['a', 'b'], symbol: '~' },
      caption: 'Linear CKA between the hidden representations of two networks on the same inputs, per hidden layer and averaged over them: 1 means the same representation up to a rotation and a scaling.',
    }, {
      kind: 'trajectory',
      metrics: ['cka'],
      caption: 'Linear CKA between the hidden representations of the two networks (mean over layers; per layer in the table): 1 means the same representation up to a rotation and a scaling.',
    }],
  },
});
