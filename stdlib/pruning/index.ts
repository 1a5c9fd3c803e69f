// Pruning: magnitude masks, random masks of the same per-layer counts, and applying a mask.
export { applyMask } from './apply-mask.ts';
export type { WeightTensor } from './apply-mask.ts';
export { globMatches, matchesAny, rateFor } from './layer-globs.ts';
export { magnitudeMasks } from './magnitude.ts';
export type { MagnitudeOptions } from './magnitude.ts';
export { randomMasks } from './random-mask.ts';
export { keptCount } from './types.ts';
export type { MaskMap, MaskTensor } from './types.ts';
