// magnitude: exact counts, global vs layerwise ranking, iterated levels, skip, per-layer rates, ties.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Json } from '../../core/json.ts';
import type { Checkpoint, Mask } from '../../core/artifacts.ts';
import { StageFailure } from '../../stdlib/stage-support/failure.ts';
import { keptCount, magnitudeMasks } from '../../stdlib/pruning/index.ts';
import { modelLayout } from '../../stdlib/models/layout.ts';
import { createRng } from '../../stdlib/random.ts';
import { mlp, runMask } from '../training/helpers.ts';

// layer1 5x5 = 25 weights, layer2 5x4 = 20, output 4x2 = 8.
const net = mlp(5, [5, 4], 2);
const layout = modelLayout(net.op, net.params);

/** A checkpoint whose layer weights are drawn from N(0, scale²) per layer (biases are not prunable). */
function checkpoint(scales: Record<string, number> = {}, seed = 0): Checkpoint {
  const weights = new Map(layout.params.map((spec) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const data = createRng(seed, `test/${spec.name}`).fillNormal(new Float32Array(size), 0, scales[spec.layer] ?? 1);
    return [spec.name, { shape: [...spec.shape], data }];
  }));
  return { kind: 'checkpoint', model: net, step: 0, weights };
}

function prune(weights: Checkpoint, params: { [key: string]: Json }): Promise<Mask> {
  return runMask('magnitude', { scope: 'global', skip: [], rates: {}, ...params }, { weights });
}

const kept = (mask: Mask, param: string) => keptCount(mask.masks.get(param)!);
const totalKept = (mask: Mask) => [...mask.masks.values()].reduce((sum, m) => sum + keptCount(m), 0);

test('masks cover exactly the prunable parameters, with their shapes', async () => {
  const mask = await prune(checkpoint(), { rate: 0.2 });
  assert.deepEqual([...mask.masks.keys()], ['layer1.weight', 'layer2.weight', 'output.weight']);
  assert.deepEqual(mask.masks.get('layer2.weight')!.shape, [5, 4]);
  assert.deepEqual(mask.model, net);
});

test('global scope removes round(rate × all kept) weights with one threshold across layers', async () => {
  // layer2's weights are a thousand times smaller than the rest, so a global ranking empties it first.
  const weights = checkpoint({ layer2: 0.001 });
  const mask = await prune(weights, { rate: 0.3 });
  assert.equal(totalKept(mask), 53 - Math.round(0.3 * 53));
  let largestRemoved = 0;
  let smallestKept = Infinity;
  for (const [param, m] of mask.masks) {
    const w = weights.weights.get(param)!.data;
    m.data.forEach((keep, i) => {
      if (keep) smallestKept = Math.min(smallestKept, Math.abs(w[i]!));
      else largestRemoved = Math.max(largestRemoved, Math.abs(w[i]!));
    });
  }
  assert.ok(largestRemoved <= smallestKept);
  // A layerwise ranking would keep 14 of layer2's 20; the global one removes all 16 from it.
  assert.equal(kept(mask, 'layer2.weight'), 20 - 16);
});

test('layerwise scope removes round(rate × kept) in every layer', async () => {
  const mask = await prune(checkpoint({ layer2: 0.1 }), { rate: 0.3, scope: 'layerwise' });
  assert.equal(kept(mask, 'layer1.weight'), 25 - 8);
  assert.equal(kept(mask, 'layer2.weight'), 20 - 6);
  assert.equal(kept(mask, 'output.weight'), 8 - 2);
});

test('the rate applies to the remaining weights: 20% then 20% keeps 64%', async () => {
  const weights = checkpoint();
  const level1 = await prune(weights, { rate: 0.2, scope: 'layerwise' });
  const masked: Checkpoint = { ...weights, mask: level1 };
  const level2 = await prune(masked, { rate: 0.2, scope: 'layerwise' });
  assert.equal(kept(level2, 'layer1.weight'), 16); // 25 → 20 → 16
  assert.equal(kept(level2, 'layer2.weight'), 13); // 20 → 16 → 13 (round(3.2) = 3)
  // Nothing the first level removed comes back.
  for (const [param, m] of level2.masks) m.data.forEach((keep, i) => { if (keep) assert.equal(level1.masks.get(param)!.data[i], 1); });
});

test('a second level ranks only the weights the mask still keeps', async () => {
  // The pruned weights of a masked checkpoint are zero after training: they must not count again.
  const weights = checkpoint();
  const level1 = await prune(weights, { rate: 0.5 });
  const trained = new Map([...weights.weights].map(([name, w]) => {
    const m = level1.masks.get(name);
    return [name, m ? { shape: w.shape, data: w.data.map((v, i) => (m.data[i] ? v : 0)) } : w];
  }));
  const level2 = await prune({ ...weights, weights: trained, mask: level1 }, { rate: 0.5 });
  assert.equal(totalKept(level2), totalKept(level1) - Math.round(0.5 * totalKept(level1)));
});

test('skipped layers keep their current mask, and the rate applies to the others', async () => {
  const weights = checkpoint();
  const level1 = await prune(weights, { rate: 0.2, scope: 'layerwise' });
  const level2 = await prune({ ...weights, mask: level1 }, { rate: 0.5, scope: 'layerwise', skip: ['out*'] });
  assert.deepEqual(level2.masks.get('output.weight')!.data, level1.masks.get('output.weight')!.data);
  assert.equal(kept(level2, 'layer1.weight'), 10);
  const global = await prune(weights, { rate: 0.5, skip: ['output'] });
  assert.equal(kept(global, 'output.weight'), 8);
  assert.equal(kept(global, 'layer1.weight') + kept(global, 'layer2.weight'), 45 - Math.round(0.5 * 45));
});

test('per-layer rates (globs) override the rate, the exact name before a glob', async () => {
  const mask = await prune(checkpoint(), { rate: 0.2, scope: 'layerwise', rates: { 'layer*': 0.4, layer2: 0.5 } });
  assert.equal(kept(mask, 'layer1.weight'), 15);
  assert.equal(kept(mask, 'layer2.weight'), 10);
  assert.equal(kept(mask, 'output.weight'), 8 - 2);
});

test('under global scope, a layer with its own rate is ranked on its own', async () => {
  const mask = await prune(checkpoint({ layer1: 0.01 }), { rate: 0.5, rates: { layer1: 0.2 } });
  assert.equal(kept(mask, 'layer1.weight'), 20);
  assert.equal(kept(mask, 'layer2.weight') + kept(mask, 'output.weight'), 28 - 14);
});

test('ties in |w| are broken by position: earlier parameters and elements go first', () => {
  const equal = new Map(layout.params.map((spec) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    return [spec.name, { shape: spec.shape, data: new Float32Array(size).fill(spec.role === 'bias' ? 0 : -0.5) }];
  }));
  const masks = magnitudeMasks(layout, equal, undefined, { rate: 0.6, scope: 'global', skip: [], rates: {} });
  // round(0.6 × 53) = 32: all 25 of layer1, then the first 7 of layer2.
  assert.equal(keptCount(masks.get('layer1.weight')!), 0);
  assert.deepEqual([...masks.get('layer2.weight')!.data], [...new Array(7).fill(0), ...new Array(13).fill(1)]);
  assert.equal(keptCount(masks.get('output.weight')!), 8);
});

test('a rate outside [0, 1) fails the stage', async () => {
  await assert.rejects(prune(checkpoint(), { rate: 1 }), (e) => e instanceof StageFailure && /rate must be in \[0, 1\)/.test(e.cause));
});

test('rate 0 keeps every weight: the all-ones mask a run without one trains under', async () => {
  const mask = await prune(checkpoint(), { rate: 0 });
  for (const [param, m] of mask.masks) assert.equal(kept(mask, param), m.data.length, param);
});
