// Whether a model fits a dataset, from what each declares of itself: the compiler asks it when a run or
// a probe puts a model on data (so `ltx check` reports it), and the runtime asks it again of the loaded
// data. One rule for both: `run` never fails for a reason `check` could see.

export type DataTask = 'classification' | 'regression' | 'language-model';

/** What a dataset's examples are, known from its parameters (or read cheaply from its files). */
export interface DataShape {
  task: DataTask;
  /** One example: [h, w, c] for images, [d] for vectors, [t] for token sequences. */
  inputShape: number[];
  /** Token inputs: ids below this many. Absent for inputs of numbers. */
  vocabulary?: number;
  /** Classes; outputs for regression; the vocabulary of a language model. Absent until a file is read. */
  classes?: number;
}

/** What a model reads and what it outputs. */
export interface ModelIO {
  /** One example: [features] (flattened), [h, w, c] (images, also taken flat), [context] tokens. */
  inputShape: number[];
  /** Classes or regression outputs; the vocabulary of a sequence model. */
  outputs: number;
  /** Reads token ids (a sequence model, predicting at every position) rather than numbers. */
  tokens: boolean;
}

const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const showShape = (shape: readonly number[]) => shape.join('x');

/** undefined when model `model` fits dataset `data`; otherwise a sentence naming both sizes. */
export function misfit(model: string, io: ModelIO, data: string, shape: DataShape): string | undefined {
  if (io.tokens) return tokenMisfit(model, io, data, shape);
  if (shape.task === 'language-model') {
    return `${data} is a language-modelling dataset, which only a model that reads tokens fits; ${model} reads numbers`;
  }
  // Token ids read as numbers would train without complaint, on a ranking of the ids that means nothing.
  if (shape.vocabulary !== undefined) {
    return `${model} reads numbers, but ${data} has inputs of ${showShape(shape.inputShape)} token ids (vocabulary ${shape.vocabulary}): give it a model that reads tokens, or encode them as numbers (one-hot)`;
  }
  const expected = io.inputShape;
  const given = shape.inputShape;
  if (expected.length === 1) {
    if (product(given) !== expected[0]) {
      const shown = given.length === 1 ? `${given[0]}` : `${showShape(given)} = ${product(given)}`;
      return `${model} expects inputs of ${expected[0]} numbers, but ${data} has inputs of ${shown}`;
    }
  } else if (!sameShape(given, expected) && !(given.length === 1 && given[0] === product(expected))) {
    // Images stored flat (h·w·c values) are images all the same.
    const flat = given.length === 1 ? ` (${given[0]} numbers, not the ${product(expected)} of one image)` : '';
    return `${model} expects ${showShape(expected)} inputs, but ${data} has inputs of ${showShape(given)}${flat}`;
  }
  if (shape.classes !== undefined && io.outputs !== shape.classes) {
    const what = shape.task === 'regression' ? 'outputs' : 'classes';
    return `${model} has ${io.outputs} outputs, but ${data} has ${shape.classes} ${what}`;
  }
  return undefined;
}

function tokenMisfit(model: string, io: ModelIO, data: string, shape: DataShape): string | undefined {
  const given = shape.inputShape;
  if (shape.vocabulary === undefined && shape.task !== 'language-model') {
    return `${model} reads token ids, but ${data} has inputs of ${showShape(given)} numbers`;
  }
  if (shape.task === 'regression') return `${model} predicts tokens, but ${data} is a regression dataset`;
  const context = io.inputShape[0]!;
  if (given.length !== 1 || given[0]! > context) {
    return `${model} reads at most ${context} tokens (context), but ${data} has sequences of ${showShape(given)}`;
  }
  // A larger vocabulary only has tokens the data never uses (vocab: 96 covers printable ASCII).
  const needed = Math.max(shape.vocabulary ?? 0, shape.classes ?? 0);
  if (io.outputs < needed) return `${model} has a vocabulary of ${io.outputs} tokens, but ${data} has ${needed}`;
  return undefined;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
