// He et al. (2015), fan-in mode: U(±gain·√(3/fan_in)), as PyTorch's kaiming_uniform_(nonlinearity='relu').
import { defineInit } from './define.ts';

export const kaimingUniform = defineInit({
  name: 'kaiming_uniform',
  summary: 'He et al. (2015) uniform init: U(±√6 / √fan_in) for weights; biases 0.',
  version: 1,
  distribution: (kernel, { gain = Math.SQRT2 }) => ({ kind: 'uniform', bound: gain * Math.sqrt(3 / kernel.fanIn) }),
});
