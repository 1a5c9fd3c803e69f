import { arg, objectSchema, type Signature } from '../signature.ts';

const init = (name: string, summary: string, extra: Record<string, Record<string, unknown>> = {}, required: string[] = []): Signature => ({
  name, category: 'init', returns: 'init', version: 1, positional: ['model'], summary,
  schema: objectSchema({ model: arg.ref(['model'], 'the architecture to initialize'), seed: arg.seed('seed of the initial weights'), ...extra }, ['model', ...required]),
});

export const initSignatures: Signature[] = [
  init('kaiming_normal', 'He et al. (2015) normal init: std = √2 / √fan_in for weights; biases 0.'),
  init('kaiming_uniform', 'He et al. (2015) uniform init: U(±√6 / √fan_in) for weights; biases 0.'),
  init('xavier_normal', 'Glorot & Bengio (2010) normal init: std = √(2 / (fan_in + fan_out)); biases 0.'),
  init('xavier_uniform', 'Glorot & Bengio (2010) uniform init: U(±√(6 / (fan_in + fan_out))); biases 0.'),
  init('normal', 'Weights drawn from N(0, std²); biases 0.', { std: arg.number('standard deviation', { exclusiveMinimum: 0, default: 0.01 }) }),
];
