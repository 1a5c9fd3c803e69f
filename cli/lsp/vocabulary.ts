// The language's words as the editor explains them: what each declaration kind holds, what each unit
// counts (hover and completion both show them).
import type { DeclarationKind } from '../../lang/ast.ts';

/** What each kind of declaration holds. */
export const KIND_TYPES: Record<DeclarationKind, string> = {
  param: 'a literal value (`--set NAME=VALUE` overrides it)',
  dataset: 'a dataset (splits `.train`, `.test`)',
  model: 'an architecture, without weights',
  init: 'initial weights of a model (a checkpoint at step 0)',
  optimizer: 'an optimizer with its batch size and schedule',
  train: 'a training run (as a value, its final checkpoint; members `.mask`, `.start`, `.final`)',
  control: 'a training run used as a control (members `.mask`, `.start`, `.final`)',
  mask: 'a pruning mask',
  lottery: 'a family of levels from a prune/rewind loop (`NAME[level]`, `.dense`)',
  probe: 'a measurement: a table of rows',
};

export const UNIT_DOCS: Record<string, string> = {
  steps: '`steps`: optimizer steps (one batch each)',
  epochs: '`epochs`: passes over the training split; one epoch = ceil(train size / batch) steps, resolved at compile time',
};
