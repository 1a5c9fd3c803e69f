import { arg, LIMITS, objectSchema, type JsonSchema, type Signature } from '../signature.ts';

const common: Record<string, JsonSchema> = {
  batch: arg.count('minibatch size', LIMITS.examples, { default: 128 }),
  warmup: arg.quantity('linear learning-rate warmup from 0', 0),
  decay: arg.ref(['schedule'], 'learning-rate decay: step(at: [...], factor: ...) or cosine'),
};
const optimizer = (name: string, summary: string, props: Record<string, JsonSchema>): Signature => ({
  name, category: 'optimizer', returns: 'optimizer', version: 1, positional: ['lr'], summary,
  schema: objectSchema({ ...props, ...common }),
});
const positive = (d: string, def: number) => arg.number(d, { exclusiveMinimum: 0, default: def });

/** Adam and AdamW share everything but the meaning and default of weight_decay. */
function adamParams(weightDecay: JsonSchema): Record<string, JsonSchema> {
  return {
    lr: positive('learning rate', 1e-3),
    beta1: arg.number('first-moment decay', { minimum: 0, exclusiveMaximum: 1, default: 0.9 }),
    beta2: arg.number('second-moment decay', { minimum: 0, exclusiveMaximum: 1, default: 0.999 }),
    eps: positive('denominator epsilon', 1e-8),
    weight_decay: weightDecay,
  };
}

export const optimizerSignatures: Signature[] = [
  optimizer('sgd', 'Stochastic gradient descent with optional (Nesterov) momentum and L2 weight decay.', {
    lr: positive('learning rate', 0.1),
    momentum: arg.number('momentum', { minimum: 0, maximum: 1, exclusiveMaximum: 1, default: 0 }),
    weight_decay: arg.number('L2 weight decay added to the gradient', { minimum: 0, default: 0 }),
    nesterov: arg.bool('Nesterov momentum', false),
  }),
  optimizer('adam', 'Adam (Kingma & Ba 2015); weight_decay is L2 added to the gradient.',
    adamParams(arg.number('L2 weight decay added to the gradient', { minimum: 0, default: 0 }))),
  optimizer('adamw', 'AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay.',
    adamParams(arg.number('decoupled weight decay', { minimum: 0, default: 0.01 }))),
  {
    name: 'step', category: 'schedule', returns: 'schedule', version: 1, positional: ['at'],
    summary: 'Step decay: the learning rate is multiplied by factor at each listed step (or epoch).',
    schema: objectSchema({
      at: { type: 'array', items: { ltxType: ['quantity'] }, minItems: 1, description: 'when to decay' },
      factor: arg.number('multiplier at each decay', { exclusiveMinimum: 0, default: 0.1 }),
    }, ['at']),
  },
  {
    name: 'cosine', category: 'schedule', returns: 'schedule', version: 1, positional: [],
    summary: 'Cosine decay from the learning rate (after warmup) to final × lr at the last step of the run. A bare `cosine` means cosine().',
    schema: objectSchema({ final: arg.fraction('final learning rate as a share of lr', { default: 0 }) }),
  },
];
