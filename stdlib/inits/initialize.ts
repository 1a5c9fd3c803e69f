// Initial weights of a model, drawn in plain JavaScript so that they are the same bits on every backend.
// Each parameter draws from its own stream createRng(seed, 'init/' + name): adding or resizing a layer
// leaves every other layer's initial values unchanged.
import type { ModelLayout, ParamSpec } from '../models/layout.ts';
import { isRunningVariance } from '../models/specs.ts';
import { createRng } from '../random.ts';
import type { InitOptions, InitScheme } from './schemes.ts';
import { INIT_SCHEMES, TABLE_STD, weightDistribution } from './schemes.ts';

/**
 * Kernels follow `scheme`; biases and shifts are 0, norm scales 1; batch-norm running means 0 and
 * variances 1; embeddings and positions N(0, 0.02²) whatever the scheme.
 * The map lists the parameters in layout order.
 */
export function initialize(layout: ModelLayout, scheme: InitScheme, opts: InitOptions): Map<string, Float32Array> {
  if (!INIT_SCHEMES.includes(scheme)) {
    throw new Error(`unknown init scheme '${scheme}' (known: ${INIT_SCHEMES.join(', ')})`);
  }
  if (!Number.isFinite(opts.seed)) throw new Error(`init seed must be a finite number, got ${opts.seed}`);
  const values = new Map<string, Float32Array>();
  for (const spec of layout.params) values.set(spec.name, initialValues(spec, scheme, opts));
  return values;
}

function initialValues(spec: ParamSpec, scheme: InitScheme, opts: InitOptions): Float32Array {
  const out = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
  switch (spec.role) {
    case 'weight': {
      const rng = createRng(opts.seed, `init/${spec.name}`);
      const d = weightDistribution(scheme, spec, opts);
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
