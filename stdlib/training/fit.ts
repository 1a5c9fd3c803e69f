// fit(WEIGHTS, data:, optimizer:, steps:, order:, like:): a training run. The compiler's run rule cuts it
// into `train` stages, one per segment between the steps a program refers to; train-stage.ts computes one.
import { lazyImplementation, type OpModule } from '../../core/op.ts';
import { arg, signatureOf } from '../signature.ts';
import { trainBatching } from './train-batching.ts';

export const fitModule: OpModule = {
  ...signatureOf({
    name: 'fit',
    summary: 'Train from a checkpoint (an init, RUN @ k, a rewound or reinitialized checkpoint) to step `steps` of the recipe. A checkpoint at step k resumes at k. Masked weights stay exactly zero.',
    // 2: levels of at most 30% density train with sparse layer kernels on wasm (other rounding).
    // 3: the sparse kernels take layers of up to 75% density (the faster kernels moved the crossover).
    version: 3,
    positional: ['weights'],
    parameters: {
      weights: arg.ref(['init', 'checkpoint', 'run'], 'the starting weights (a run means its final checkpoint)'),
      data: arg.ref(['split', 'dataset'], 'training data (a dataset means its train split)'),
      optimizer: arg.ref(['optimizer'], 'the optimizer'),
      steps: arg.quantity('the step at which training ends (total length of the recipe)'),
      order: arg.seed('seed of the data order'),
      like: arg.ref(['run'], 'copy data, optimizer, steps and order from this run'),
    },
    required: ['weights'],
  }, 'training', 'run'),
  lowering: { rule: 'run' },
  stageOp: 'train',
  implementation: lazyImplementation(() => import('./train-stage.ts').then((m) => m.trainStage)),
  batching: trainBatching,
};
