// Pruning: magnitude masks, random masks of the same per-layer counts, and applying a mask; the pruning
// ops' list.
import type { OpModule } from '../../core/op.ts';
import { impModule } from './imp.ts';
import { magnitudeModule } from './magnitude.ts';
import { oneshotModule } from './oneshot.ts';
import { randomMaskModule } from './random-mask.ts';
import { reinitModule } from './reinit.ts';
import { rewindModule } from './rewind.ts';

export { applyMask } from './apply-mask.ts';
export type { WeightTensor } from './apply-mask.ts';
export { globMatches, matchesAny, rateFor } from './layer-globs.ts';
export { magnitudeMasks } from './magnitude.ts';
export type { MagnitudeOptions } from './magnitude.ts';
export { randomMasks } from './random-mask.ts';
export { keptCount } from './types.ts';
export type { MaskMap, MaskTensor } from './types.ts';

/** The pruning ops of the standard library, and the lotteries built from them, one line each. */
export const pruningModules: readonly OpModule[] = [
  magnitudeModule,
  randomMaskModule,
  rewindModule,
  reinitModule,
  impModule,
  oneshotModule,
];
