// The random-pruning control: for each parameter, a mask keeping as many weights as `like` keeps there,
// at positions drawn by createRng(seed, 'random-mask/' + parameter).
import type { Mask } from '../../core/artifacts.ts';
import type { StageImplementation } from '../../core/op.ts';
import { createRng } from '../random.ts';
import { integerParam, maskInput } from '../stage-support/params.ts';
import { keptCount, type MaskMap } from './types.ts';

export function randomMasks(like: MaskMap, seed: number): MaskMap {
  const out: MaskMap = new Map();
  for (const [name, mask] of like) {
    const kept = keptCount(mask);
    const positions = createRng(seed, `random-mask/${name}`).permutation(mask.data.length);
    const data = new Uint8Array(mask.data.length);
    for (let i = 0; i < kept; i++) data[positions[i]!] = 1;
    out.set(name, { shape: [...mask.shape], data });
  }
  return out;
}

/** The random_mask stage: a random mask with the per-layer counts of input `like`. */
export const randomMaskStage: StageImplementation = async (stage, inputs) => {
  const like = maskInput(stage, inputs, 'like');
  const mask: Mask = { kind: 'mask', model: like.model, masks: randomMasks(like.masks, integerParam(stage.params, 'seed')) };
  return mask;
};
