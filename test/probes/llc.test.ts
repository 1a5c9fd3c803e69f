// llc: SGLD localized at w*, checked against Singular Learning Theory's known values: a regular model
// with d parameters has λ = d/2; a degenerate one (a deep linear net at zero) has less.
//
// Settings of the λ tests (docs/probes.md): full batch of 512 examples, so nβ = 512 / ln 512 ≈ 82;
// ε = 5e-4, γ = 1, 4 chains × 1000 draws after 100 burn-in steps. With the MSE averaged over k
// outputs the loss Hessian of these models is ≈ 2/k·I, so γ shrinks the estimate by a share of about γ/(nβ·2/k)
// (2.4% at k = 4) and the step size raises it by about 1/(1 − ε·a/4) (0.5%); seeds 0–4 gave 9.5–10.5
// for λ = 10.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Checkpoint } from '../../core/artifacts.ts';
import type { LoadedDataset } from '../../stdlib/datasets/index.ts';
import { standardLibrary } from '../../stdlib/library.ts';
import { defaultNbeta, llcProbe, type LlcSettings } from '../../stdlib/probes/llc-stage.ts';
import { StageFailure } from '../../stdlib/stage-support/failure.ts';
import { initCheckpoint, runProbe, trainSplit, useCpuBackend } from '../training/helpers.ts';
import { checkpointWith, leastSquares, linearRegressionData, maskOf, mlpModel, parameterCount } from './tangent-helpers.ts';

before(useCpuBackend);

const THEORY: LlcSettings = { epsilon: 5e-4, gamma: 1, chains: 4, draws: 1000, burnin: 100, batch: 512, seed: 0 };

function estimate(checkpoint: Checkpoint, dataset: LoadedDataset, settings: Partial<LlcSettings> = {}) {
  return llcProbe({ checkpoint, library: standardLibrary, dataset, split: 'train' }, { ...THEORY, ...settings });
}

function assertNear(actual: number, expected: number, relative: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= relative * expected, `${what}: ${actual} is not within ${relative * 100}% of ${expected}`);
}

test('a regular model (least-squares fit of noisy linear data, d = 20) has λ̂ within 15% of d/2', async () => {
  const data = linearRegressionData(512, 4, 4, 0.1);
  const net = mlpModel(4, [], 4, 'linear');
  const result = await estimate(checkpointWith(net, leastSquares(data)), data);
  assert.equal(parameterCount(net), 20);
  assertNear(result.metrics.llc_mean!, 10, 0.15, 'llc_mean');
  assert.equal(result.metrics.loss_below_init, 0, 'w* is the minimum: no draw goes below it');
});

test('through the stage: a student equal to its teacher (teacher dataset) has λ̂ within 15% of d/2', async () => {
  const net = mlpModel(4, [], 4, 'linear');
  const teacher = { op: 'teacher', version: 1, params: { model: net, n: 640, seed: 5, test: 0.2 } };
  const student = await initCheckpoint(net, 5); // the teacher's own weights: the loss is 0 at w*
  const { epsilon, gamma, chains, draws, burnin, batch, seed } = THEORY;
  const result = await runProbe('llc', { on: trainSplit(teacher), epsilon, gamma, chains, draws, burnin, batch, seed }, { x: student });
  assert.ok(result.metrics.init_loss! < 1e-10);
  assertNear(result.metrics.nbeta!, 512 / Math.log(512), 1e-12, 'default nβ = B / ln B');
  assertNear(result.metrics.llc_mean!, 10, 0.15, 'llc_mean');
});

test('a degenerate model (deep linear net at zero on zero targets) has λ̂ well below d/2', async () => {
  // Theory: λ = 3 (reduced-rank regression 4 → 3 → 2 at rank 0) + 1 (the output bias) = 4, d/2 = 11.5.
  const net = mlpModel(4, [3], 2, 'linear');
  const data = linearRegressionData(512, 4, 2, 0, false);
  const result = await estimate(checkpointWith(net), data);
  assert.equal(parameterCount(net), 23);
  assert.ok(result.metrics.llc_mean! < 0.5 * 11.5, `llc_mean ${result.metrics.llc_mean} vs d/2 = 11.5`);
  assert.ok(result.metrics.llc_mean! > 0);
});

test('SGLD moves only kept weights: a mask leaving d = 12 of 20 parameters gives λ̂ ≈ 6', async () => {
  const data = linearRegressionData(512, 4, 4, 0.1);
  const net = mlpModel(4, [], 4, 'linear');
  // Half of the 16 weights kept; w* is the minimum of the loss with the pruned weights at zero.
  const keep = [1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1];
  const mask = maskOf(net, { 'output.weight': keep });
  const fit = leastSquaresUnderMask(data, keep);
  const result = await estimate(checkpointWith(net, fit, mask), data);
  assertNear(result.metrics.llc_mean!, 6, 0.15, 'llc_mean');
});

test('the chains are reproducible from the seed, and report their traces and settings', async () => {
  const data = linearRegressionData(64, 2, 1, 0.1);
  const w = checkpointWith(mlpModel(2, [], 1, 'linear'), leastSquares(data));
  const settings = { chains: 3, draws: 25, burnin: 5, batch: 16, epsilon: 1e-3, gamma: 10 };
  const first = await estimate(w, data, settings);
  const again = await estimate(w, data, settings);
  const other = await estimate(w, data, { ...settings, seed: 1 });
  assert.deepEqual(again, first);
  assert.notEqual(other.metrics.llc_mean, first.metrics.llc_mean);
  const trace = first.series!.loss_trace as number[][];
  assert.equal(trace.length, 3);
  assert.ok(trace.every((chain) => chain.length === 25));
  assert.deepEqual(
    [first.metrics.epsilon, first.metrics.gamma, first.metrics.nbeta],
    [1e-3, 10, defaultNbeta(16)],
  );
  const chains = [0, 1, 2].map((c) => first.metrics[`llc_chain_${c}`]!);
  assertNear(first.metrics.llc_mean!, chains.reduce((a, b) => a + b) / 3, 1e-12, 'llc_mean is the mean over chains');
  const explicit = await estimate(w, data, { ...settings, nbeta: 2.5 });
  assert.equal(explicit.metrics.nbeta, 2.5);
});

test('a step size that blows the chains up fails the stage and says which setting to change', async () => {
  const net = mlpModel(4, [], 4, 'linear');
  const teacher = { op: 'teacher', version: 1, params: { model: net, n: 100, seed: 5, test: 0.2 } };
  await assert.rejects(
    runProbe('llc', { on: trainSplit(teacher), epsilon: 10, gamma: 100, chains: 1, draws: 200, burnin: 0, batch: 16, seed: 0 }, { x: await initCheckpoint(net, 5) }),
    (e) => e instanceof StageFailure && /^llc: SGLD diverged.*smaller epsilon/.test(e.cause),
  );
});

test('defaultNbeta is B / ln B, and 1 for single examples', () => {
  assertNear(defaultNbeta(100), 21.7147, 1e-5, 'B = 100');
  assert.equal(defaultNbeta(1), 1);
});

/** Least squares with the pruned weights fixed at 0: each output regresses on its kept inputs. */
function leastSquaresUnderMask(data: LoadedDataset, keep: number[]): Record<string, Float32Array> {
  const m = data.inputShape[0]!;
  const k = data.classes;
  const weight = new Float32Array(m * k);
  const bias = new Float32Array(k);
  for (let o = 0; o < k; o++) {
    const inputs = Array.from({ length: m }, (_, i) => i).filter((i) => keep[i * k + o] === 1);
    const n = data.train.n;
    const x = new Float32Array(n * inputs.length);
    const y = new Float32Array(n);
    for (let e = 0; e < n; e++) {
      inputs.forEach((i, c) => { x[e * inputs.length + c] = data.train.x[e * m + i]!; });
      y[e] = data.train.y[e * k + o]!;
    }
    const sub: LoadedDataset = { ...data, inputShape: [inputs.length], classes: 1, train: { x, y, n } };
    const fit = leastSquares(sub);
    inputs.forEach((i, c) => { weight[i * k + o] = fit['output.weight'][c]!; });
    bias[o] = fit['output.bias'][0]!;
  }
  return { 'output.weight': weight, 'output.bias': bias };
}
