// Glorot & Bengio (2010): N(0, gain²·2/(fan_in + fan_out)).
import { defineInit } from './define.ts';

export const xavierNormal = defineInit({
  name: 'xavier_normal',
  summary: 'Glorot & Bengio (2010) normal init: std = √(2 / (fan_in + fan_out)); biases 0.',
  version: 1,
  distribution: (kernel, { gain = 1 }) => ({ kind: 'normal', std: gain * Math.sqrt(2 / (kernel.fanIn + kernel.fanOut)) }),
});
