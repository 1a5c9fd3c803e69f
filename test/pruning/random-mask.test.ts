// random_mask: the random-pruning control keeps as many weights per parameter as the mask it copies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Mask } from '../../core/artifacts.ts';
import { keptCount } from '../../stdlib/pruning/index.ts';
import { initCheckpoint, mlp, runMask } from '../training/helpers.ts';

const net = mlp(12, [10, 8], 3);

async function magnitudeMask(): Promise<Mask> {
  const init = await initCheckpoint(net);
  return runMask('magnitude', { rate: 0.7, scope: 'global', skip: ['output'], rates: {} }, { weights: init });
}

test('a random mask keeps exactly as many weights per parameter as the mask it copies', async () => {
  const like = await magnitudeMask();
  const random = await runMask('random_mask', { seed: 4 }, { like });
  assert.deepEqual([...random.masks.keys()], [...like.masks.keys()]);
  for (const [name, m] of like.masks) {
    assert.deepEqual(random.masks.get(name)!.shape, m.shape);
    assert.equal(keptCount(random.masks.get(name)!), keptCount(m), name);
  }
  assert.notDeepEqual(random.masks.get('layer1.weight')!.data, like.masks.get('layer1.weight')!.data);
  assert.deepEqual(random.model, like.model);
});

test('the positions are a function of the seed', async () => {
  const like = await magnitudeMask();
  const a = await runMask('random_mask', { seed: 4 }, { like });
  const again = await runMask('random_mask', { seed: 4 }, { like });
  const other = await runMask('random_mask', { seed: 5 }, { like });
  assert.deepEqual(a.masks, again.masks);
  assert.notDeepEqual(a.masks.get('layer1.weight')!.data, other.masks.get('layer1.weight')!.data);
});
