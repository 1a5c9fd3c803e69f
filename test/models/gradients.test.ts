// Analytic gradients of loss(forward(...)) against central finite differences, for every trained
// parameter of every model at tiny sizes on the cpu backend.
//
// Float32 makes finite differences noisy: with eps = 1e-3 the rounding of a loss near 1 (about 1e-7,
// more after the reductions) contributes up to ~1e-4 to the central quotient (L(w+eps) − L(w−eps)) / 2eps.
// A quotient matches the analytic derivative g when |quotient − g| <= 1e-3 + 2e-2·max(|quotient|, |g|);
// a wrong transpose, a missing factor or a dropped term is off by far more than that.
// ReLU and max-pool are not differentiable everywhere: when a perturbation crosses a kink on one side,
// the central quotient mixes two slopes, while the one-sided quotient of the other side still gives the
// slope tfjs differentiates. Such a coordinate passes if a one-sided quotient matches, and counts as a
// kink; the test asserts that kinks stay rare so that most coordinates are checked by the central one.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { OpParams } from '../../core/op.ts';
import { forward } from '../../stdlib/models/forward.ts';
import { modelLayout } from '../../stdlib/models/layout.ts';
import { loss, type Task } from '../../stdlib/nn/losses.ts';
import { createRng } from '../../stdlib/random.ts';
import { initialWeights, intInput, modelParams, normalInput, useCpuBackend } from './helpers.ts';

before(useCpuBackend);

const EPS = 1e-3;
const ABSOLUTE_TOLERANCE = 1e-3;
const RELATIVE_TOLERANCE = 2e-2;
const COORDINATES_PER_PARAMETER = 4;

interface Case {
  op: string;
  params: OpParams;
  x: tf.Tensor;
  y: tf.Tensor;
  task: Task;
  /** Adjusts the initial weights before the check. */
  prepare?: (weights: Record<string, tf.Tensor>) => void;
}

interface Report {
  checked: number;
  kinks: number;
  failures: string[];
}

function gradientCheck({ op, params: given, x, y, task, prepare }: Case): Report {
  const params = modelParams(op, given);
  const layout = modelLayout(op, params);
  const weights = initialWeights(layout, 1);
  prepare?.(weights);
  // Training mode, so batch norm uses (and differentiates through) the batch statistics.
  const lossOf = (w: Record<string, tf.Tensor>) => loss(task, forward(layout, params, w, x, { training: true }).output, y);
  const trained = layout.params.filter((p) => p.role !== 'buffer');
  const analytic = tf.tidy(() =>
    tf.grads((...tensors: tf.Tensor[]) => {
      const w = { ...weights };
      trained.forEach((p, i) => (w[p.name] = tensors[i]!));
      return lossOf(w);
    })(trained.map((p) => weights[p.name]!)),
  );

  const lossAt = (name: string, values: Float32Array) =>
    tf.tidy(() => lossOf({ ...weights, [name]: tf.tensor(values, weights[name]!.shape) }).dataSync()[0]!);
  const base = tf.tidy(() => lossOf(weights).dataSync()[0]!);
  const rng = createRng(0, `test/gradients/${op}`);
  const report: Report = { checked: 0, kinks: 0, failures: [] };

  trained.forEach((spec, i) => {
    const values = weights[spec.name]!.dataSync() as Float32Array;
    const gradient = analytic[i]!.dataSync();
    const size = values.length;
    const coordinates = size <= COORDINATES_PER_PARAMETER ? [...Array(size).keys()] : [...rng.permutation(size).slice(0, COORDINATES_PER_PARAMETER)];
    for (const c of coordinates) {
      const shifted = Float32Array.from(values);
      shifted[c] = values[c]! + EPS;
      const plus = lossAt(spec.name, shifted);
      shifted[c] = values[c]! - EPS;
      const minus = lossAt(spec.name, shifted);
      const g = gradient[c]!;
      const matches = (quotient: number) => Math.abs(quotient - g) <= ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * Math.max(Math.abs(quotient), Math.abs(g));
      const central = (plus - minus) / (2 * EPS);
      if (matches(central)) {
        report.checked++;
      } else if (matches((plus - base) / EPS) || matches((base - minus) / EPS)) {
        report.kinks++;
      } else {
        report.failures.push(`${spec.name}[${c}]: analytic ${g.toExponential(4)}, central difference ${central.toExponential(4)}`);
      }
    }
  });
  tf.dispose(analytic);
  return report;
}

function assertGradientsMatch(c: Case): void {
  const report = gradientCheck(c);
  assert.deepEqual(report.failures, [], `${c.op}: gradients differ from finite differences`);
  assert.ok(report.kinks <= report.checked / 10, `${c.op}: ${report.kinks} of ${report.checked + report.kinks} coordinates sat on kinks`);
}

function labels(n: number, classes: number, seed: number): tf.Tensor {
  return intInput([n], classes, seed);
}

test('mlp gradients match finite differences (relu and gelu, classification and regression)', () => {
  assertGradientsMatch({ op: 'mlp', params: { input: 6, hidden: [5, 4], classes: 3 }, x: normalInput([4, 6], 1), y: labels(4, 3, 1), task: 'classification' });
  assertGradientsMatch({
    op: 'mlp',
    params: { input: 6, hidden: [5], classes: 2, activation: 'gelu' },
    x: normalInput([4, 6], 2),
    y: normalInput([4, 2], 3),
    task: 'regression',
  });
});

test('conv gradients match finite differences', () => {
  assertGradientsMatch({
    op: 'conv',
    params: { input: [6, 6, 2], channels: [[3], [3, 4]], hidden: [5], classes: 3, activation: 'tanh' },
    x: normalInput([3, 6, 6, 2], 4),
    y: labels(3, 3, 4),
    task: 'classification',
  });
  assertGradientsMatch({
    op: 'conv',
    params: { input: [5, 5, 1], channels: [[3]], hidden: [4], classes: 2 },
    x: normalInput([3, 5, 5, 1], 5),
    y: labels(3, 2, 5),
    task: 'classification',
  });
});

test('lenet5 gradients match finite differences', () => {
  assertGradientsMatch({ op: 'lenet5', params: { input: [12, 12, 1], classes: 3 }, x: normalInput([3, 12, 12, 1], 6), y: labels(3, 3, 6), task: 'classification' });
});

test('resnet gradients match finite differences, through batch norm in training mode', () => {
  assertGradientsMatch({
    op: 'resnet',
    params: { depth: 8, width: 2, input: [4, 4, 2], classes: 3 },
    x: normalInput([4, 4, 4, 2], 7),
    y: labels(4, 3, 7),
    task: 'classification',
  });
});

test('transformer gradients match finite differences, embeddings and positions included', () => {
  assertGradientsMatch({
    op: 'transformer',
    params: { vocab: 5, context: 4, width: 8, heads: 2, layers: 1 },
    x: intInput([3, 4], 5, 8),
    y: intInput([3, 4], 5, 9),
    task: 'language-model',
    // At their init std of 0.02 the tables feed a layer norm that makes the loss so curved at their
    // scale that float32 differences cannot resolve a slope; at std 0.5 they can.
    prepare: (weights) => {
      for (const name of ['embed.weight', 'position.weight']) weights[name] = tf.mul(weights[name]!, 25);
    },
  });
});
