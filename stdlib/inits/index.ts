// Entry point of the initializers (pure JavaScript, no tensor library).
export { initialize } from './initialize.ts';
export { INIT_SCHEMES, NORMAL_DEFAULT_STD, TABLE_STD, defaultGain, weightDistribution } from './schemes.ts';
export type { Distribution, InitOptions, InitScheme } from './schemes.ts';
