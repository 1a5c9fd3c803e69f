// The learning rate at each step of a recipe. A pure function of the step, so a run resumed at any step
// continues the schedule exactly where the unsplit run would be.
import type { ScheduleConfig } from './config.ts';

/**
 * The learning rate of step `step` (0-based: the update that takes the weights from step to step + 1) of
 * a recipe `totalSteps` long:
 *   warmup:  lr · min(1, (step + 1) / warmup)
 *   step:    × factor^(number of `at` ≤ step)
 *   cosine:  after warmup, × final + (1 − final) · ½ (1 + cos(π (step − warmup) / (totalSteps − warmup)))
 */
export function learningRateAt(config: ScheduleConfig, step: number, totalSteps: number): number {
  return config.lr * warmupFactor(config.warmup, step) * decayFactor(config, step, totalSteps);
}

function warmupFactor(warmup: number, step: number): number {
  return warmup > 0 ? Math.min(1, (step + 1) / warmup) : 1;
}

function decayFactor(config: ScheduleConfig, step: number, totalSteps: number): number {
  const decay = config.decay;
  if (!decay) return 1;
  if (decay.kind === 'step') {
    let passed = 0;
    for (const at of decay.at) if (at <= step) passed++;
    return decay.factor ** passed;
  }
  const span = totalSteps - config.warmup;
  if (step < config.warmup || span <= 0) return 1;
  const progress = Math.min(1, (step - config.warmup) / span);
  return decay.final + (1 - decay.final) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
