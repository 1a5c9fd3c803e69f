// The llc probe against closed forms of Singular Learning Theory:
//   reduced-rank regression x ↦ B A x (mlp(input: M, hidden: [H], classes: N, activation: linear,
//   bias: false)) at w* = 0 with a zero teacher, whose learning coefficient Aoyagi & Watanabe (2005)
//   give in closed form (M=5, H=3, N=5 → 6.5; M=4, H=3, N=8 → 6.0: devinterp's test cases), and a
//   regular model (linear regression with biases at its unique minimum, λ = d/2).
//
//   node bench/llc-calibration.ts [--seeds N] [--draws N] [--nbeta X] [--epsilon X] [--gamma X]
//
// Data: n = 512 inputs x ~ N(0, 1), targets 0 (a zero teacher; the loss landscape E‖f(x)‖² is the
// one of Gaussian noise around a zero teacher, up to a constant). Default settings: full batch,
// nβ = 2000, ε = 3e-4, γ = 1, 4 chains × 1000 draws after 100 burn-in steps, on tfjs's cpu backend.
// The singular cases need the large nβ: at devinterp's default B / ln B ≈ 82 the posterior's flat
// directions reach far enough for γ to cut them off, and λ̂ came out about 30% low. One row per case:
// the estimate's mean and spread over chain seeds, and its error against the closed form.
import { parseArgs } from 'node:util';
import type { Checkpoint, OpRef, TensorValue } from '../core/artifacts.ts';
import type { LoadedDataset } from '../stdlib/datasets/index.ts';
import { standardLibrary } from '../stdlib/library.ts';
import { modelLayout } from '../stdlib/models/layout.ts';
import { llcProbe } from '../stdlib/probes/llc-stage.ts';
import { createRng } from '../stdlib/random.ts';
import { initBackend } from '../runtime/backends/select.ts';

/** λ of reduced-rank regression M → H → N at a teacher of rank r (Aoyagi & Watanabe 2005, Theorem 1). */
export function reducedRankLambda(m: number, h: number, n: number, r: number): number {
  if (n + r <= m + h && m + r <= n + h && h + r <= m + n) {
    const base = 2 * (h + r) * (m + n) - (m - n) ** 2 - (h + r) ** 2;
    return ((m + h + n + r) % 2 === 0 ? base : base + 1) / 8;
  }
  if (m + h < n + r) return (h * m - h * r + n * r) / 2;
  if (n + h < m + r) return (h * n - h * r + m * r) / 2;
  return (m * n) / 2; // m + n < h + r
}

interface Case {
  name: string;
  model: OpRef;
  lambda: number;
}

function zeroTargets(examples: number, inputs: number, outputs: number): LoadedDataset {
  const x = createRng(1, 'bench/llc-calibration').fillNormal(new Float32Array(examples * inputs));
  const split = { x, y: new Float32Array(examples * outputs), n: examples };
  return { name: 'zero teacher', task: 'regression', inputShape: [inputs], classes: outputs, train: split, test: split };
}

/** Every parameter 0: the minimum of the loss on zero targets. */
function atZero(model: Case['model']): Checkpoint {
  const layout = modelLayout(model.op, model.params);
  const weights = new Map<string, TensorValue>(layout.params.map((spec) => [
    spec.name, { shape: spec.shape, data: new Float32Array(spec.shape.reduce((a, b) => a * b, 1)) },
  ]));
  return { kind: 'checkpoint', model, step: 0, weights };
}

const mlp = (input: number, hidden: number[], classes: number, bias: boolean): OpRef =>
  ({ op: 'mlp', version: 1, params: { input, hidden, classes, activation: 'linear', bias } });

const cases: Case[] = [
  { name: 'reduced-rank regression M=5 H=3 N=5, zero teacher', model: mlp(5, [3], 5, false), lambda: reducedRankLambda(5, 3, 5, 0) },
  { name: 'reduced-rank regression M=4 H=3 N=8, zero teacher', model: mlp(4, [3], 8, false), lambda: reducedRankLambda(4, 3, 8, 0) },
  { name: 'regular: linear regression 4 → 4 with biases (d = 20)', model: mlp(4, [], 4, true), lambda: 10 },
];

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '3' }, draws: { type: 'string', default: '1000' },
    nbeta: { type: 'string', default: '2000' }, epsilon: { type: 'string', default: '3e-4' }, gamma: { type: 'string', default: '1' },
  },
});
const seeds = Number(values.seeds);
const settings = {
  epsilon: Number(values.epsilon), gamma: Number(values.gamma), chains: 4, draws: Number(values.draws), burnin: 100, batch: 512,
  nbeta: Number(values.nbeta),
};
console.log(`settings: ${JSON.stringify(settings)}, ${seeds} seeds of the chains\n`);
await import('@tensorflow/tfjs');
await initBackend('cpu');

console.log('| model | λ (closed form) | λ̂ mean over seeds | spread (min–max) | error |');
console.log('| --- | --- | --- | --- | --- |');
for (const c of cases) {
  const outputs = c.model.params.classes as number;
  const data = zeroTargets(512, c.model.params.input as number, outputs);
  const estimates: number[] = [];
  for (let seed = 0; seed < seeds; seed++) {
    const result = await llcProbe(
      { checkpoint: atZero(c.model), library: standardLibrary, dataset: data, split: 'train' },
      { ...settings, seed },
    );
    estimates.push(result.metrics.llc_mean!);
  }
  const mean = estimates.reduce((a, b) => a + b, 0) / estimates.length;
  const error = (mean - c.lambda) / c.lambda;
  console.log(`| ${c.name} | ${c.lambda} | ${mean.toFixed(2)} | ${Math.min(...estimates).toFixed(2)}–${Math.max(...estimates).toFixed(2)} | ${(100 * error).toFixed(1)}% |`);
}
