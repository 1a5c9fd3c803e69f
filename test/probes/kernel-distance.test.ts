// kernel_distance: the empirical NTK Θ = J Jᵀ (traced over logits) and the distance 1 − cos(K1, K2).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { Checkpoint } from '../../core/artifacts.ts';
import { standardLibrary } from '../../stdlib/library.ts';
import {
  centeredAlignment, empiricalNtk, kernelDistance, probeRows, targetKernel, type Kernel,
} from '../../stdlib/probes/kernel-distance-stage.ts';
import { digits, initCheckpoint, runCheckpoint, runProbe, sgdMomentum, testSplit, trainParams, useCpuBackend } from '../training/helpers.ts';
import { checkpointWith, maskOf, mlpModel, normalValues } from './tangent-helpers.ts';

before(useCpuBackend);

async function ntkOn(checkpoint: Checkpoint, inputs: Float32Array, shape: [number, number]): Promise<Kernel> {
  const x = tf.tensor(inputs, shape);
  try {
    return await empiricalNtk(checkpoint, x, standardLibrary);
  } finally {
    x.dispose();
  }
}

/** f(x) = tanh(x W1 + b1) W2 + b2 in float64, parameters flattened in layout order. */
function tanhMlp64(theta: Float64Array, x: number[], input: number, hidden: number, classes: number): number[] {
  const w1 = 0;
  const b1 = w1 + input * hidden;
  const w2 = b1 + hidden;
  const b2 = w2 + hidden * classes;
  const h = Array.from({ length: hidden }, (_, j) => {
    let z = theta[b1 + j]!;
    for (let i = 0; i < input; i++) z += x[i]! * theta[w1 + i * hidden + j]!;
    return Math.tanh(z);
  });
  return Array.from({ length: classes }, (_, k) => {
    let out = theta[b2 + k]!;
    for (let j = 0; j < hidden; j++) out += h[j]! * theta[w2 + j * classes + k]!;
    return out;
  });
}

test('the empirical NTK equals J Jᵀ from float64 central differences to 1e-4 (relative Frobenius)', async () => {
  const [input, hidden, classes, n] = [3, 5, 2, 6];
  const net = mlpModel(input, [hidden], classes, 'tanh');
  const values = {
    'layer1.weight': normalValues(input * hidden, 1, 0.8), 'layer1.bias': normalValues(hidden, 2, 0.3),
    'output.weight': normalValues(hidden * classes, 3, 0.8), 'output.bias': normalValues(classes, 4, 0.3),
  };
  const checkpoint = checkpointWith(net, values);
  const inputs = normalValues(n * input, 5);
  const kernel = await ntkOn(checkpoint, inputs, [n, input]);

  const theta = Float64Array.from([...values['layer1.weight'], ...values['layer1.bias'], ...values['output.weight'], ...values['output.bias']]);
  const h = 1e-6;
  // jacobian[example][logit][parameter]
  const jacobian = Array.from({ length: n }, (_, e) => {
    const x = Array.from(inputs.subarray(e * input, (e + 1) * input));
    const rows = Array.from({ length: classes }, () => new Float64Array(theta.length));
    for (let p = 0; p < theta.length; p++) {
      const plus = Float64Array.from(theta);
      const minus = Float64Array.from(theta);
      plus[p]! += h;
      minus[p]! -= h;
      const fp = tanhMlp64(plus, x, input, hidden, classes);
      const fm = tanhMlp64(minus, x, input, hidden, classes);
      for (let k = 0; k < classes; k++) rows[k]![p] = (fp[k]! - fm[k]!) / (2 * h);
    }
    return rows;
  });
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let expected = 0;
      for (let k = 0; k < classes; k++) for (let p = 0; p < theta.length; p++) expected += jacobian[i]![k]![p]! * jacobian[j]![k]![p]!;
      diff += (kernel.values[i * n + j]! - expected) ** 2;
      norm += expected ** 2;
    }
  }
  assert.ok(Math.sqrt(diff / norm) < 1e-4, `relative error ${Math.sqrt(diff / norm)}`);
});

test('the tangent kernel of a linear model is classes·(x·x′ + 1), whatever its weights', async () => {
  const net = mlpModel(4, [], 3, 'linear');
  const inputs = normalValues(5 * 4, 6);
  const kernelAt = async (seed: number) => {
    const checkpoint = checkpointWith(net, { 'output.weight': normalValues(12, seed), 'output.bias': normalValues(3, seed + 1) });
    return ntkOn(checkpoint, inputs, [5, 4]);
  };
  const k1 = await kernelAt(1);
  for (let i = 0; i < 5; i++) {
    for (let j = 0; j < 5; j++) {
      let dot = 1;
      for (let c = 0; c < 4; c++) dot += inputs[i * 4 + c]! * inputs[j * 4 + c]!;
      assert.ok(Math.abs(k1.values[i * 5 + j]! - 3 * dot) < 1e-5 * (1 + Math.abs(3 * dot)));
    }
  }
  assert.ok(Math.abs(kernelDistance(k1, await kernelAt(10))) < 1e-12);
});

test('pruned weights are not parameters: their gradients are left out of the kernel', async () => {
  const net = mlpModel(2, [], 2, 'linear');
  // Weight [in, out]: logit 0 keeps only input 0's weight, logit 1 keeps both.
  const mask = maskOf(net, { 'output.weight': [1, 1, 0, 1] });
  const checkpoint = checkpointWith(net, { 'output.weight': Float32Array.from([0.5, -1, 0, 2]) }, mask);
  const x = [[1, 2], [3, -1]];
  const kernel = await ntkOn(checkpoint, Float32Array.from(x.flat()), [2, 2]);
  const expected = (a: number[], b: number[]) => (a[0]! * b[0]! + 1) + (a[0]! * b[0]! + a[1]! * b[1]! + 1);
  assert.deepEqual(Array.from(kernel.values), [expected(x[0]!, x[0]!), expected(x[0]!, x[1]!), expected(x[1]!, x[0]!), expected(x[1]!, x[1]!)]);
});

test('the distance is scale-invariant and 1 − cosine of the flattened kernels', () => {
  const k1: Kernel = { n: 2, values: Float64Array.from([2, 1, 1, 3]) };
  const k2: Kernel = { n: 2, values: Float64Array.from([1, 0, 0, 1]) };
  const scaled = (k: Kernel, c: number): Kernel => ({ n: k.n, values: k.values.map((v) => v * c) });
  assert.ok(Math.abs(kernelDistance(k1, scaled(k1, 7.5))) < 1e-15);
  assert.ok(Math.abs(kernelDistance(k1, k2) - (1 - 5 / (Math.sqrt(15) * Math.sqrt(2)))) < 1e-15);
  assert.ok(Math.abs(kernelDistance(scaled(k1, 1e-3), scaled(k2, 40)) - kernelDistance(k1, k2)) < 1e-15);
});

test('identical kernels are at distance exactly 0, and rounding never leaves [0, 2]', () => {
  // Kernels for which 1 − ⟨K, K⟩ / (‖K‖ ‖K‖) rounds to −2.2e-16 or +1.1e-16.
  for (const values of [[0.30000000000000004, 0.3, 0.3, 1.7], [0.5, 0.3, 0.3, 2.3666666666666667], [2, 0.3, 0.3, 7.366666666666667]]) {
    const k: Kernel = { n: 2, values: Float64Array.from(values) };
    assert.equal(kernelDistance(k, { n: 2, values: Float64Array.from(values) }), 0, values.join(' '));
    assert.equal(kernelDistance(k, { n: 2, values: k.values.map((v) => -v) }), 2);
  }
});

test('a checkpoint is at distance 0 from itself; training moves the kernel', async () => {
  const net = mlpModel(64, [16], 10, 'relu');
  const init = await initCheckpoint(net, 2);
  const params = { on: testSplit(digits), samples: 12, seed: 4 };
  const self = await runProbe('kernel_distance', params, { a: init, b: init });
  assert.ok(Math.abs(self.metrics.distance!) < 1e-12);
  assert.equal(self.metrics.kernel_norm_a, self.metrics.kernel_norm_b);
  assert.equal(self.metrics.samples, 12);
  const trained: Checkpoint = await runCheckpoint('train', trainParams(net, digits, sgdMomentum, 40, 40), { start: init });
  const moved = await runProbe('kernel_distance', params, { a: init, b: trained });
  assert.ok(moved.metrics.distance! > 1e-4, `distance ${moved.metrics.distance}`);
  assert.ok(moved.metrics.alignment_a! > 0 && moved.metrics.alignment_a! <= 1);
});

test('centered alignment is 1 for the target kernel itself and undefined for a constant kernel', () => {
  const labels = Float64Array.from([1, 0, 0, 1, 1, 0]); // one-hot rows of 3 examples, 2 classes
  const target = targetKernel(labels, 3, 2);
  assert.ok(Math.abs(centeredAlignment(target, target)! - 1) < 1e-12);
  const constant: Kernel = { n: 3, values: new Float64Array(9).fill(4) };
  assert.equal(centeredAlignment(constant, target), undefined, 'a constant kernel has nothing left after centering');
});

test('probe inputs are distinct rows chosen by the seed', () => {
  const rows = probeRows(100, 20, 3);
  assert.equal(new Set(rows).size, 20);
  assert.deepEqual(rows, probeRows(100, 20, 3));
  assert.notDeepEqual(rows, probeRows(100, 20, 4));
  assert.equal(probeRows(5, 20, 3).length, 5, 'at most the whole split');
});
