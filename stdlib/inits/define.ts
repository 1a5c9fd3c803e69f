// An init module from its name, summary, distribution and any parameter of its own; every init takes the
// model it initializes and a seed, and makes an `init` stage.
import { lazyImplementation } from '../../core/op.ts';
import { arg, signatureOf, type SignatureSpec } from '../signature.ts';
import type { InitModule } from './types.ts';

/**
 * The `init` stage of every scheme. It draws the weights with index.ts, which lists the modules this
 * file defines: it is loaded when a stage first needs it, not imported.
 */
const initStage = lazyImplementation(() => import('./stage.ts').then((m) => m.initStage));

export interface InitSpec extends Omit<SignatureSpec, 'positional' | 'parameters' | 'required'> {
  /** Parameters besides `model` and `seed`, with defaults. */
  parameters?: SignatureSpec['parameters'];
  distribution: InitModule['init']['distribution'];
}

export function defineInit(spec: InitSpec): InitModule {
  const parameters = { model: arg.ref(['model'], 'the architecture to initialize'), seed: arg.seed('seed of the initial weights'), ...spec.parameters };
  return {
    ...signatureOf({ ...spec, positional: ['model'], parameters, required: ['model'] }, 'init', 'init'),
    lowering: { rule: 'init' },
    stageOp: 'init',
    implementation: initStage,
    init: { distribution: spec.distribution },
  };
}
