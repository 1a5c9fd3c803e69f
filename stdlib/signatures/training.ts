import { arg, LIMITS, objectSchema, type JsonSchema, type Signature } from '../signature.ts';

const pruningOptions: Record<string, JsonSchema> = {
  scope: arg.oneOf(['global', 'layerwise'], 'rank weights across all prunable layers or within each layer', 'global'),
  skip: { type: 'array', items: { type: 'string' }, default: [], description: 'layers never pruned (names, * matches any run of characters)' },
  rates: { type: 'object', additionalProperties: { type: 'number', minimum: 0, exclusiveMaximum: 1 }, default: {}, description: 'per-layer rates overriding rate' },
};
const rate = arg.fraction('share of the remaining weights removed', { exclusiveMaximum: 1 });

export const trainingSignatures: Signature[] = [
  {
    name: 'fit', category: 'training', returns: 'run', version: 1, positional: ['weights'],
    summary: 'Train from a checkpoint (an init, RUN @ k, a rewound or reinitialized checkpoint) to step `steps` of the recipe. A checkpoint at step k resumes at k. Masked weights stay exactly zero.',
    schema: objectSchema({
      weights: arg.ref(['init', 'checkpoint', 'run'], 'the starting weights (a run means its final checkpoint)'),
      data: arg.ref(['split', 'dataset'], 'training data (a dataset means its train split)'),
      optimizer: arg.ref(['optimizer'], 'the optimizer'),
      steps: arg.quantity('the step at which training ends (total length of the recipe)'),
      order: arg.seed('seed of the data order'),
      like: arg.ref(['run'], 'copy data, optimizer, steps and order from this run'),
    }, ['weights']),
  },
  {
    name: 'magnitude', category: 'pruning', returns: 'mask', version: 1, positional: ['weights'],
    summary: 'Magnitude pruning: remove `rate` of the remaining prunable weights with the smallest |w| (globally or per layer).',
    schema: objectSchema({ weights: arg.ref(['run', 'checkpoint'], 'the trained weights to rank'), rate, ...pruningOptions }, ['weights', 'rate']),
  },
  {
    name: 'random_mask', category: 'pruning', returns: 'mask', version: 1, positional: ['like'],
    summary: 'A random mask with the same per-layer sparsity as another mask (the random-pruning control).',
    schema: objectSchema({ like: arg.ref(['mask', 'run'], 'the mask whose per-layer sparsity is copied'), seed: arg.seed('seed of the random mask') }, ['like']),
  },
  {
    name: 'rewind', category: 'pruning', returns: 'checkpoint', version: 1, positional: ['weights'],
    summary: 'Apply a mask to a checkpoint (weights ⊙ mask), keeping its step; training from it restarts the optimizer state.',
    schema: objectSchema({ weights: arg.ref(['init', 'checkpoint', 'run'], 'the checkpoint to rewind to'), mask: arg.ref(['mask', 'run'], 'the mask to apply') }, ['weights', 'mask']),
  },
  {
    name: 'reinit', category: 'pruning', returns: 'checkpoint', version: 1, positional: ['weights'],
    summary: 'Random reinitialization control: fresh weights from the same init scheme with another seed, ⊙ mask.',
    schema: objectSchema({ weights: arg.ref(['init'], 'the init whose scheme is redrawn'), mask: arg.ref(['mask', 'run'], 'the mask to apply'), seed: arg.seed('seed of the new weights') }, ['weights', 'mask']),
  },
  {
    name: 'imp', category: 'lottery', returns: 'lottery', version: 1, positional: ['run'],
    summary: 'Iterative magnitude pruning with rewinding: level 0 is RUN; level l prunes level l-1 by rate and retrains from RUN @ rewind under the new mask with RUN\'s recipe. Same stages as the long form.',
    schema: objectSchema({
      run: arg.ref(['run'], 'the dense run (level 0)'),
      rounds: arg.count('number of pruning levels', LIMITS.repeats),
      rate,
      rewind: arg.quantity('the step of RUN the levels rewind to', 0),
      ...pruningOptions,
    }, ['run', 'rounds', 'rate']),
  },
  {
    name: 'oneshot', category: 'lottery', returns: 'lottery', version: 1, positional: ['run'],
    summary: 'One-shot magnitude pruning to `sparsity`, then retraining from RUN @ rewind: a lottery of levels 0 (RUN) and 1.',
    schema: objectSchema({
      run: arg.ref(['run'], 'the dense run (level 0)'),
      sparsity: arg.fraction('share of the prunable weights removed', { exclusiveMaximum: 1 }),
      rewind: arg.quantity('the step of RUN to rewind to', 0),
      ...pruningOptions,
    }, ['run', 'sparsity']),
  },
];
