// The random-pruning control: for each parameter, a mask keeping as many weights as `like` keeps there,
// at positions drawn by createRng(seed, 'random-mask/' + parameter).
import { createRng } from '../random.ts';
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
