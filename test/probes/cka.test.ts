// cka: linear CKA (Kornblith et al. 2019) between two networks' hidden representations, per layer.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { linearCka } from '../../stdlib/probes/cka.ts';
import { createRng } from '../../stdlib/random.ts';
import { StageFailure } from '../../stdlib/stage-support/failure.ts';
import { initCheckpoint, runProbe, testSplit, useCpuBackend, type Ref } from '../training/helpers.ts';
import { digitsNet, probeParams, representation, withPermutedUnits } from './representation-helpers.ts';

before(useCpuBackend);

function close(actual: number | undefined, expected: number, tolerance = 1e-9): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= tolerance, `${actual} ≉ ${expected}`);
}

const rng = createRng(7, 'test/cka');
const x = representation(50, 6, () => rng.normal());

/** A random 6×6 orthogonal matrix: Gram–Schmidt on Gaussian columns. */
function orthogonal(n: number): number[][] {
  const q: number[][] = [];
  while (q.length < n) {
    const v = Array.from({ length: n }, () => rng.normal());
    for (const u of q) {
      const dot = u.reduce((s, ui, i) => s + ui * v[i]!, 0);
      for (let i = 0; i < n; i++) v[i]! -= dot * u[i]!;
    }
    const norm = Math.hypot(...v);
    q.push(v.map((vi) => vi / norm));
  }
  return q;
}

test('CKA of a representation with itself is 1', () => {
  close(linearCka(x, x), 1, 1e-12);
});

test('CKA is invariant to an orthogonal transform and an isotropic scaling of one side', () => {
  const q = orthogonal(6);
  const rotated = representation(50, 6, (r, j) => 3.5 * q[j]!.reduce((s, qji, i) => s + x.values[r * 6 + i]! * qji, 0));
  close(linearCka(x, rotated), 1, 1e-12);
  // Not every transform: stretching one unit changes the representation's geometry.
  const stretched = representation(50, 6, (r, u) => x.values[r * 6 + u]! * (u === 0 ? 10 : 1));
  assert.ok(linearCka(x, stretched)! < 0.9);
});

test('CKA of unrelated representations is far below 1, and layers of different widths compare', () => {
  const other = representation(50, 9, () => rng.normal());
  const value = linearCka(x, other)!;
  assert.ok(value > 0 && value < 0.5, `cka ${value}`);
});

test('a representation whose units are all constant has no CKA', () => {
  assert.equal(linearCka(x, representation(50, 3, () => 2)), undefined);
});

test('a network against a copy with its hidden units permuted has CKA 1 at every hidden layer', async () => {
  const a = await digitsNet();
  const b = withPermutedUnits(withPermutedUnits(a, 'layer1', 'layer2'), 'layer2', 'output', 5);
  const result = await runProbe('cka', probeParams(), { a, b });
  assert.deepEqual(Object.keys(result.layers!), ['layer1', 'layer2']);
  close(result.layers!.layer1!.cka, 1, 1e-6);
  close(result.layers!.layer2!.cka, 1, 1e-6);
  close(result.metrics.cka, 1, 1e-6);
  assert.equal(result.metrics.samples, 200);
});

test('two inits of one architecture are compared per named layer, below 1', async () => {
  const result = await runProbe('cka', probeParams({ layer: ['layer2'] }), { a: await digitsNet(1), b: await digitsNet(2) });
  assert.deepEqual(Object.keys(result.layers!), ['layer2']);
  assert.ok(result.metrics.cka! < 0.99 && result.metrics.cka! > 0, `cka ${result.metrics.cka}`);
});

test('a layer the networks do not have fails the stage, naming the layers they have', async () => {
  const a = await digitsNet();
  await assert.rejects(runProbe('cka', probeParams({ layer: ['layer3'] }), { a, b: a }), (error: unknown) => {
    assert.ok(error instanceof StageFailure);
    assert.match(error.message, /no hidden layer 'layer3'; its hidden layers are layer1, layer2/);
    return true;
  });
});

test('a transformer exposes the MLP units of each block, one row per input and position', async () => {
  const model: Ref = { op: 'transformer', version: 1, params: { vocab: 7, context: 2, width: 8, heads: 2, layers: 2, mlp_ratio: 4 } };
  const sums: Ref = { op: 'modular_addition', version: 1, params: { p: 7, train: 0.5, seed: 0 } };
  const a = await initCheckpoint(model, 1);
  const result = await runProbe('cka', probeParams({ on: testSplit(sums), samples: 10 }), { a, b: a });
  assert.deepEqual(Object.keys(result.layers!), ['block1.mlp', 'block2.mlp']);
  close(result.metrics.cka, 1, 1e-9);
});

test('a model that does not expose its hidden units fails the stage and says which do', async () => {
  const model: Ref = { op: 'conv', version: 1, params: { input: [8, 8, 1], channels: [[4]], kernel: 3, hidden: [8], classes: 10, activation: 'relu' } };
  const a = await initCheckpoint(model, 1);
  await assert.rejects(runProbe('cka', probeParams(), { a, b: a }), (error: unknown) => {
    assert.ok(error instanceof StageFailure);
    assert.match(error.message, /the conv model does not expose its hidden units \(mlp and transformer do\)/);
    return true;
  });
});
