// Glorot & Bengio (2010): U(±gain·√(6/(fan_in + fan_out))).
import { defineInit } from './define.ts';

export const xavierUniform = defineInit({
  name: 'xavier_uniform',
  summary: 'Glorot & Bengio (2010) uniform init: U(±√(6 / (fan_in + fan_out))); biases 0.',
  version: 1,
  distribution: (kernel, { gain = 1 }) => ({ kind: 'uniform', bound: gain * Math.sqrt(6 / (kernel.fanIn + kernel.fanOut)) }),
});
