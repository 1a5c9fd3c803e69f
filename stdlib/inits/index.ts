// The init schemes of the standard library, one line each, and initial weights of a model under a scheme
// (its module, as a stage finds it in its Library, or the name of a standard one). Drawn in plain JavaScript so that they are the same bits on every backend. Each parameter
// draws from its own stream createRng(seed, 'init/' + name): adding or resizing a layer leaves every
// other layer's initial values unchanged.
import { isRunningVariance } from '../models/specs.ts';
import type { ModelLayout, ParamSpec } from '../models/types.ts';
import { createRng } from '../random.ts';
import { findModule } from '../signature.ts';
import { kaimingNormal } from './kaiming-normal.ts';
import { kaimingUniform } from './kaiming-uniform.ts';
import { normal } from './normal.ts';
import type { Distribution, InitModule, InitOptions, InitScheme } from './types.ts';
import { xavierNormal } from './xavier-normal.ts';
import { xavierUniform } from './xavier-uniform.ts';

export type { Distribution, InitModule, InitOptions, InitScheme } from './types.ts';

export const initModules: readonly InitModule[] = [
  kaimingNormal,
  kaimingUniform,
  xavierNormal,
  xavierUniform,
  normal,
];

/** Std of embeddings and positions under every scheme (GPT-2's choice). */
export const TABLE_STD = 0.02;

export function initModule(scheme: InitScheme): InitModule {
  return findModule(initModules, scheme, (known) => new Error(`unknown init scheme '${scheme}' (known: ${known})`));
}

/** The distribution a kernel (role 'weight') of `spec`'s shape is drawn from under `scheme`. */
export function weightDistribution(scheme: InitScheme, spec: ParamSpec, opts: InitOptions): Distribution {
  return initModule(scheme).init.distribution(spec, opts);
}

/** `initializeWith` the standard library's scheme called `scheme`. */
export function initialize(layout: ModelLayout, scheme: InitScheme, opts: InitOptions): Map<string, Float32Array> {
  return initializeWith(layout, initModule(scheme), opts);
}

/**
 * Kernels follow the scheme of `module`; biases and shifts are 0, norm scales 1; batch-norm running
 * means 0 and variances 1; embeddings and positions N(0, 0.02²) whatever the scheme.
 * The map lists the parameters in layout order.
 */
export function initializeWith(layout: ModelLayout, module: InitModule, opts: InitOptions): Map<string, Float32Array> {
  if (!Number.isFinite(opts.seed)) throw new Error(`init seed must be a finite number, got ${opts.seed}`);
  const values = new Map<string, Float32Array>();
  for (const spec of layout.params) values.set(spec.name, initialValues(spec, module, opts));
  return values;
}

function initialValues(spec: ParamSpec, module: InitModule, opts: InitOptions): Float32Array {
  const out = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
  switch (spec.role) {
    case 'weight': {
      const rng = createRng(opts.seed, `init/${spec.name}`);
      const d = module.init.distribution(spec, opts);
      return d.kind === 'normal' ? rng.fillNormal(out, 0, d.std) : rng.fillUniform(out, -d.bound, d.bound);
    }
    case 'embedding':
    case 'position':
      return createRng(opts.seed, `init/${spec.name}`).fillNormal(out, 0, TABLE_STD);
    case 'norm_scale':
      return out.fill(1);
    case 'bias':
    case 'norm_shift':
      return out;
    case 'buffer':
      return isRunningVariance(spec) ? out.fill(1) : out;
  }
}
