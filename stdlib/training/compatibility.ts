// Whether a model can be trained or evaluated on a dataset, and if not, a sentence saying why.
// An mlp reads any input with its number of values (digits' 8x8x1 images are 64 numbers); image
// models need the exact image shape; the transformer is a language model and reads token windows.
import type { LoadedDataset } from '../datasets/index.ts';
import type { ModelLayout } from '../models/layout.ts';

const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const showShape = (shape: readonly number[]) => shape.join('x');

/** undefined when `layout` fits `dataset`; otherwise what does not fit, for the user. */
export function incompatibility(layout: ModelLayout, dataset: LoadedDataset): string | undefined {
  const model = layout.op;
  const data = dataset.name;
  const isLanguageModel = model === 'transformer';
  if (isLanguageModel && dataset.task !== 'language-model') {
    return `${model} is a language model, but ${data} is a ${dataset.task} dataset`;
  }
  if (!isLanguageModel && dataset.task === 'language-model') {
    return `${data} is a language-modelling dataset, which only a transformer fits; ${model} is not one`;
  }
  const expected = layout.inputShape;
  const given = dataset.inputShape;
  if (isLanguageModel) {
    if (given.length !== 1 || given[0] !== expected[0]) {
      return `${model} reads windows of ${expected[0]} tokens (context), but ${data} has windows of ${showShape(given)}`;
    }
    // A larger vocabulary only has tokens the text never uses (vocab: 96 covers printable ASCII).
    if (layout.outputs < dataset.classes) {
      return `${model} has a vocabulary of ${layout.outputs} tokens, but ${data} has ${dataset.classes}`;
    }
    return undefined;
  }
  if (expected.length === 1) {
    if (product(given) !== expected[0]) {
      const shown = given.length === 1 ? `${given[0]}` : `${showShape(given)} = ${product(given)}`;
      return `${model} expects inputs of ${expected[0]} numbers, but ${data} has inputs of ${shown}`;
    }
  } else if (given.length !== expected.length || given.some((d, i) => d !== expected[i])) {
    return `${model} expects ${showShape(expected)} inputs, but ${data} has inputs of ${showShape(given)}`;
  }
  if (layout.outputs !== dataset.classes) {
    const what = dataset.task === 'regression' ? 'outputs' : 'classes';
    return `${model} has ${layout.outputs} outputs, but ${data} has ${dataset.classes} ${what}`;
  }
  return undefined;
}
