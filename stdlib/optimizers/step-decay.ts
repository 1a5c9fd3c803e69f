// step(at, factor: 0.1): the learning rate is multiplied by factor at each listed step, once reached.
import { arg } from '../signature.ts';
import { defineSchedule } from './define.ts';
import { numberOf, positive } from './params.ts';
import type { DecayConfig } from './types.ts';

export interface StepDecay extends DecayConfig {
  op: 'step';
  /** Steps at which the learning rate is multiplied by `factor` (each one counts once it is reached), ascending. */
  at: number[];
  factor: number;
}

export const step = defineSchedule<StepDecay>({
  name: 'step',
  summary: 'Step decay: the learning rate is multiplied by factor at each listed step (or epoch).',
  version: 1,
  positional: ['at'],
  parameters: {
    at: { type: 'array', items: { ltxType: ['quantity'] }, minItems: 1, description: 'when to decay' },
    factor: arg.number('multiplier at each decay', { exclusiveMinimum: 0, default: 0.1 }),
  },
  required: ['at'],
  schedule: {
    read: (raw, where) => {
      const at = raw.at;
      if (!Array.isArray(at) || !at.every((s) => typeof s === 'number' && Number.isInteger(s) && s >= 0)) {
        throw new Error(`${where}: step decay 'at' must be a list of steps, got ${JSON.stringify(at)}`);
      }
      return { op: 'step', at: [...(at as number[])].sort((a, b) => a - b), factor: numberOf(raw, 'factor', `${where} step decay`, positive) };
    },
    factor: (decay, step) => decay.factor ** decay.at.filter((at) => at <= step).length,
  },
});
