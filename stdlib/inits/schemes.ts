// The distributions of the init schemes, as formulas of a kernel's fans. Kept apart from the drawing so
// that tests (and docs) can state the expected std or bound of any parameter.
import type { ParamSpec } from '../models/layout.ts';

export type InitScheme = 'kaiming_normal' | 'kaiming_uniform' | 'xavier_normal' | 'xavier_uniform' | 'normal';
export const INIT_SCHEMES: readonly InitScheme[] = [
  'kaiming_normal',
  'kaiming_uniform',
  'xavier_normal',
  'xavier_uniform',
  'normal',
];

export interface InitOptions {
  seed: number;
  /** Standard deviation of the `normal` scheme (default NORMAL_DEFAULT_STD; ignored by the others). */
  std?: number;
  /** Overrides the scheme's gain: √2 (ReLU) for Kaiming, 1 for Xavier. Ignored by `normal`. */
  gain?: number;
}

export type Distribution = { kind: 'normal'; std: number } | { kind: 'uniform'; bound: number };

/** The `normal` scheme's std when none is given (the compiler's schema default). */
export const NORMAL_DEFAULT_STD = 0.01;

/** Std of embeddings and positions under every scheme (GPT-2's choice). */
export const TABLE_STD = 0.02;

export function defaultGain(scheme: InitScheme): number {
  return scheme.startsWith('kaiming') ? Math.SQRT2 : 1;
}

/**
 * The distribution a kernel (role 'weight') is drawn from.
 * Kaiming (He et al. 2015, fan_in mode): std = gain/√fan_in, uniform bound = gain·√(3/fan_in) — as
 * PyTorch's kaiming_*_(nonlinearity='relu'). Xavier (Glorot & Bengio 2010): std = gain·√(2/(fan_in +
 * fan_out)), bound = gain·√(6/(fan_in + fan_out)). normal: N(0, std²).
 */
export function weightDistribution(scheme: InitScheme, spec: ParamSpec, opts: InitOptions): Distribution {
  const gain = opts.gain ?? defaultGain(scheme);
  switch (scheme) {
    case 'kaiming_normal':
      return { kind: 'normal', std: gain / Math.sqrt(spec.fanIn) };
    case 'kaiming_uniform':
      return { kind: 'uniform', bound: gain * Math.sqrt(3 / spec.fanIn) };
    case 'xavier_normal':
      return { kind: 'normal', std: gain * Math.sqrt(2 / (spec.fanIn + spec.fanOut)) };
    case 'xavier_uniform':
      return { kind: 'uniform', bound: gain * Math.sqrt(6 / (spec.fanIn + spec.fanOut)) };
    case 'normal': {
      const std = opts.std ?? NORMAL_DEFAULT_STD;
      if (!(std >= 0) || !Number.isFinite(std)) throw new Error(`init 'normal' needs a non-negative std, got ${std}`);
      return { kind: 'normal', std };
    }
  }
}
