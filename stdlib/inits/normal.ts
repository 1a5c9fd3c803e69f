// N(0, std²) whatever the fans.
import { arg } from '../signature.ts';
import { defineInit } from './define.ts';

export const normal = defineInit({
  name: 'normal',
  summary: 'Weights drawn from N(0, std²); biases 0.',
  version: 1,
  parameters: { std: arg.number('standard deviation', { exclusiveMinimum: 0, default: 0.01 }) },
  distribution: (_kernel, { std }) => {
    if (std === undefined || !(std >= 0) || !Number.isFinite(std)) {
      throw new Error(`init 'normal' needs a non-negative std, got ${std}`);
    }
    return { kind: 'normal', std };
  },
});
