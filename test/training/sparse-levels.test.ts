// A pruned level sparse enough for the sparse layer kernels (stdlib/nn/ops.ts's rule) trains on wasm
// to the numbers of the dense kernels, up to float rounding: checked against the cpu backend, which
// has no sparse kernels and so runs the same stage dense. Pruned weights stay exactly zero.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Checkpoint } from '../../core/artifacts.ts';
import { sparsePatternOf } from '../../stdlib/nn/ops.ts';
import { assertClose, useBackend, type Backend } from '../backends/helpers.ts';
import { adamCosine, bitsOf, digits, initCheckpoint, mlp, runCheckpoint, runMask, trainParams } from './helpers.ts';

const net = mlp(64, [32], 10);
const STEPS = 25;

/** A level of 10% of the weights (global magnitude pruning of 90%), trained on `backend`. */
async function trainLevel(backend: Backend): Promise<{ start: Checkpoint; out: Checkpoint }> {
  await useBackend(backend);
  const init = await initCheckpoint(net);
  const mask = await runMask('magnitude', { rate: 0.9, scope: 'global', skip: [], rates: {} }, { weights: init });
  const start = await runCheckpoint('rewind', {}, { weights: init, mask });
  const out = await runCheckpoint('train', trainParams(net, digits, adamCosine, STEPS, STEPS), { start });
  return { start, out };
}

test('a level below the sparse density trains on wasm (sparse kernels) to the dense numbers, pruned weights exactly zero', async () => {
  const cpu = await trainLevel('cpu');
  const wasm = await trainLevel('wasm');
  const masks = wasm.start.mask!.masks;
  const sparse = [...masks.values()].filter((m) => sparsePatternOf(m.data, m.shape) !== undefined);
  assert.ok(sparse.length >= 1, 'a weight matrix runs sparse');
  for (const [name, w] of wasm.out.weights) {
    assertClose(w.data, cpu.out.weights.get(name)!.data, 1e-3, name);
    const keep = masks.get(name)?.data;
    if (keep) assert.ok(w.data.every((v, i) => keep[i] || Object.is(v, 0)), `${name}: pruned weights stay +0`);
  }
});

test('a sparse level on wasm gives the same bits when run again', async () => {
  const first = await trainLevel('wasm');
  const second = await trainLevel('wasm');
  for (const [name, w] of first.out.weights) assert.deepEqual(bitsOf(second.out.weights.get(name)!.data), bitsOf(w.data), name);
});
