// reinit(INIT, mask:, seed:): the random-reinitialization control of Frankle & Carbin (2019): the init's
// scheme drawn again with another seed, ⊙ mask. It computes with the init schemes (inits/stage.ts).
import type { OpModule } from '../../core/op.ts';
import { reinitStage } from '../inits/stage.ts';
import { arg, signatureOf } from '../signature.ts';

export const reinitModule: OpModule = {
  ...signatureOf({
    name: 'reinit',
    summary: 'Random reinitialization control: fresh weights from the same init scheme with another seed, ⊙ mask.',
    version: 1,
    positional: ['weights'],
    parameters: {
      weights: arg.ref(['init'], 'the init whose scheme is redrawn'),
      mask: arg.ref(['mask', 'run'], 'the mask to apply'),
      seed: arg.seed('seed of the new weights'),
    },
    required: ['weights', 'mask'],
  }, 'pruning', 'checkpoint'),
  lowering: { rule: 'reinit' },
  implementation: reinitStage,
};
