// unit_roles: per hidden unit, the correlation with the same unit and with the best match in another
// network of the same architecture.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { greedyMatching, unitCorrelations } from '../../stdlib/probes/unit-roles.ts';
import { StageFailure } from '../../stdlib/stage-support/failure.ts';
import { initCheckpoint, mlp, runProbe, useCpuBackend } from '../training/helpers.ts';
import { digitsNet, probeParams, representation, withPermutedUnits } from './representation-helpers.ts';

before(useCpuBackend);

function close(actual: number | undefined, expected: number, tolerance = 1e-6): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= tolerance, `${actual} ≉ ${expected}`);
}

test('a network against itself: every unit correlates 1 with itself and is its own best match', async () => {
  const a = await digitsNet();
  const result = await runProbe('unit_roles', probeParams(), { a, b: a });
  for (const metrics of [result.metrics, result.layers!.layer1!, result.layers!.layer2!]) {
    close(metrics.same_index, 1);
    close(metrics.best_match, 1);
    assert.equal(metrics.self_matched, 1);
    close(metrics.matched, 1);
    assert.equal(metrics.matched_self, 1);
  }
  assert.equal(result.metrics.units! + result.metrics.dead_a!, 24 + 16);
});

test('against a copy with its hidden units permuted: every role exists elsewhere, few at the same index', async () => {
  const a = await digitsNet();
  const b = withPermutedUnits(a, 'layer1', 'layer2');
  const result = await runProbe('unit_roles', probeParams({ layer: ['layer1'] }), { a, b });
  const layer1 = result.layers!.layer1!;
  close(layer1.best_match, 1);
  close(layer1.matched, 1);
  assert.ok(layer1.same_index! < 0.5, `same-index correlation ${layer1.same_index}`);
  assert.ok(layer1.self_matched! < 0.2, `self-matched share ${layer1.self_matched}`);
  assert.equal(layer1.matched_self, 0);
  assert.deepEqual(Object.keys(result.layers!), ['layer1']);
});

test('units constant on the probe inputs are counted and left out; a constant unit correlates 0', () => {
  const a = representation(10, 3, (r, u) => (u === 2 ? 0 : Math.sin(r + 4 * u)));
  const b = representation(10, 3, (r, u) => (u === 1 ? 1 : Math.sin(r + 4 * u)));
  const { c, deadA, deadB } = unitCorrelations(a, b);
  assert.deepEqual(deadA, [false, false, true]);
  assert.deepEqual(deadB, [false, true, false]);
  close(c[0], 1, 1e-12);
  assert.equal(c[1], 0);
  assert.equal(c[2 * 3 + 2], 0);
});

test('the greedy matching pairs each unit once, strongest correlations first', () => {
  // Unit 0 of A correlates best with unit 1 of B, and so does unit 1 of A, less strongly: it gets unit 0.
  const c = Float64Array.from([0.2, 0.9, 0.1, 0.8]);
  assert.deepEqual([...greedyMatching(c, 2)], [1, 0]);
});

test('networks of different widths fail the stage with the two widths', async () => {
  const a = await digitsNet();
  const b = await initCheckpoint(mlp(64, [20, 16], 10), 1);
  await assert.rejects(runProbe('unit_roles', probeParams(), { a, b }), (error: unknown) => {
    assert.ok(error instanceof StageFailure);
    assert.match(error.message, /unit_roles: .*24 and 20 units/);
    return true;
  });
});
