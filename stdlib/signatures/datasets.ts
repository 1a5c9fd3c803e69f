import { arg, LIMITS, objectSchema, type Signature } from '../signature.ts';

const dataset = (name: string, summary: string, positional: string[], props: Record<string, object>, required: string[] = []): Signature => ({
  name, category: 'dataset', returns: 'dataset', version: 1, positional, summary,
  schema: objectSchema(props as Record<string, Record<string, unknown>>, required),
});

export const datasetSignatures: Signature[] = [
  dataset('digits', 'The bundled 8x8 handwritten digits (UCI, 1797 images, 10 classes), split by a seeded shuffle.', ['test'], {
    test: arg.fraction('share of the 1797 images held out for testing', { default: 0.2, exclusiveMinimum: 0, exclusiveMaximum: 1 }),
    seed: arg.seed('seed of the train/test split'),
  }),
  dataset('fashion_mnist', 'Fashion-MNIST from IDX files (gzipped or not); 60,000 train and 10,000 test 28x28 images.', ['path'], {
    path: arg.string('directory holding the four IDX files', { default: '/usr/share/datasets/fashion-mnist', minLength: 1 }),
  }),
  dataset('mnist', 'MNIST from IDX files (gzipped or not); 60,000 train and 10,000 test 28x28 images.', ['path'], {
    path: arg.string('directory holding the four IDX files', { minLength: 1 }),
  }, ['path']),
  dataset('cifar10', 'CIFAR-10 from its binary batches (data_batch_1..5.bin, test_batch.bin); 32x32x3 images.', ['path'], {
    path: arg.string('directory holding the binary batches', { minLength: 1 }),
  }, ['path']),
  dataset('gaussian_mixture', 'A seeded synthetic classification task: one Gaussian cluster per class.', ['classes', 'dim', 'n'], {
    classes: arg.count('number of classes', LIMITS.width, { minimum: 2 }),
    dim: arg.count('input dimension', LIMITS.width),
    n: arg.count('number of examples (train and test together)', LIMITS.examples, { minimum: 2 }),
    seed: arg.seed('seed of the cluster means and the samples'),
    separation: arg.number('scale of the distances between class means', { exclusiveMinimum: 0, default: 4 }),
    test: arg.fraction('share held out for testing', { default: 0.2, exclusiveMinimum: 0, exclusiveMaximum: 1 }),
  }, ['classes', 'dim', 'n']),
  dataset('teacher', 'Regression on the outputs of a seeded random teacher network of the given architecture.', ['model', 'n'], {
    model: arg.ref(['model'], 'the teacher architecture'),
    n: arg.count('number of examples (train and test together)', LIMITS.examples, { minimum: 2 }),
    seed: arg.seed('seed of the teacher weights and the inputs'),
    test: arg.fraction('share held out for testing', { default: 0.2, exclusiveMinimum: 0, exclusiveMaximum: 1 }),
  }, ['model', 'n']),
  dataset('modular_addition', 'All pairs (a, b) labelled (a + b) mod p, split at random (the grokking task).', ['p'], {
    p: arg.count('the modulus (p² pairs)', Math.floor(Math.sqrt(LIMITS.examples)), { minimum: 2 }),
    train: arg.fraction('share of the p² pairs used for training', { default: 0.3, exclusiveMinimum: 0, exclusiveMaximum: 1 }),
    seed: arg.seed('seed of the split'),
  }, ['p']),
  dataset('sparse_parity', 'Random bit strings labelled by the parity of a hidden subset of k bits.', ['bits', 'k', 'n'], {
    bits: arg.count('length of each bit string', LIMITS.width),
    k: arg.count('size of the hidden subset', LIMITS.width),
    n: arg.count('number of examples (train and test together)', LIMITS.examples, { minimum: 2 }),
    seed: arg.seed('seed of the subset and the strings'),
    test: arg.fraction('share held out for testing', { default: 0.2, exclusiveMinimum: 0, exclusiveMaximum: 1 }),
  }, ['bits', 'k', 'n']),
  dataset('text', 'Character-level language modelling on a UTF-8 text file; the last part of the text is the test split.', ['path', 'context'], {
    path: arg.string('the text file', { minLength: 1 }),
    context: arg.count('context length in characters', LIMITS.positions),
    test: arg.fraction('share of the text held out for testing', { default: 0.1, exclusiveMinimum: 0, exclusiveMaximum: 1 }),
  }, ['path', 'context']),
];
