// He et al. (2015), fan-in mode: N(0, gain²/fan_in), as PyTorch's kaiming_normal_(nonlinearity='relu').
import { defineInit } from './define.ts';

export const kaimingNormal = defineInit({
  name: 'kaiming_normal',
  summary: 'He et al. (2015) normal init: std = √2 / √fan_in for weights; biases 0.',
  version: 1,
  distribution: (kernel, { gain = Math.SQRT2 }) => ({ kind: 'normal', std: gain / Math.sqrt(kernel.fanIn) }),
});
