// What an init scheme is: a signature (every init takes the model and a seed, some a parameter of their
// own) and the distribution its kernels are drawn from, as a formula of a kernel's fans. Everything
// else a scheme sets (biases, norms, tables) is the same for all of them (index.ts).
import type { OpModule } from '../../core/op.ts';
import type { ParamSpec } from '../models/types.ts';

/** The name of an init op (`kaiming_normal`, ...). */
export type InitScheme = string;

export interface InitOptions {
  seed: number;
  /** Standard deviation of the `normal` scheme (its schema's default is filled by the compiler; ignored by the others). */
  std?: number;
  /** Overrides the scheme's gain: √2 (ReLU) for Kaiming, 1 for Xavier. Ignored by `normal`. */
  gain?: number;
}

export type Distribution = { kind: 'normal'; std: number } | { kind: 'uniform'; bound: number };

export interface InitModule extends OpModule {
  lowering: { rule: 'init' };
  stageOp: 'init';
  init: {
    /** The distribution a kernel (role 'weight') is drawn from; throws when the options make none. */
    distribution(kernel: ParamSpec, opts: InitOptions): Distribution;
  };
}
