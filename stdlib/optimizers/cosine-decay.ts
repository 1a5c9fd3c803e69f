// cosine(final: 0): after warmup, the learning rate follows half a cosine from lr down to final·lr at
// the last step: × final + (1 − final) · ½ (1 + cos(π (step − warmup) / (totalSteps − warmup))).
import { arg } from '../signature.ts';
import { defineSchedule } from './define.ts';
import { numberOf } from './params.ts';
import type { DecayConfig } from './types.ts';

export interface CosineDecay extends DecayConfig {
  op: 'cosine';
  /** The learning rate at the last step, as a share of lr. */
  final: number;
}

export const cosine = defineSchedule<CosineDecay>({
  name: 'cosine',
  summary: 'Cosine decay from the learning rate (after warmup) to final × lr at the last step of the run. A bare `cosine` means cosine().',
  version: 1,
  positional: [],
  parameters: { final: arg.fraction('final learning rate as a share of lr', { default: 0 }) },
  schedule: {
    read: (raw, where) => ({ op: 'cosine', final: numberOf(raw, 'final', `${where} cosine decay`, (v) => v >= 0 && v <= 1) }),
    factor: (decay, step, totalSteps, warmup) => {
      const span = totalSteps - warmup;
      if (step < warmup || span <= 0) return 1;
      const progress = Math.min(1, (step - warmup) / span);
      return decay.final + (1 - decay.final) * 0.5 * (1 + Math.cos(Math.PI * progress));
    },
  },
});
