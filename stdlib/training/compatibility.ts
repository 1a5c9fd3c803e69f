// Whether a model can be trained or evaluated on a loaded dataset, and if not, a sentence saying why:
// the rule the compiler applies to what the dataset and model declare (core/data-fit.ts), applied
// again to what was loaded.
import { misfit } from '../../core/data-fit.ts';
import type { LoadedDataset } from '../datasets/index.ts';
import type { ModelLayout } from '../models/layout.ts';

/** undefined when `layout` fits `dataset`; otherwise what does not fit, for the user. */
export function incompatibility(layout: ModelLayout, dataset: LoadedDataset): string | undefined {
  const shape = { task: dataset.task, inputShape: dataset.inputShape, classes: dataset.classes, vocabulary: dataset.tokens };
  return misfit(layout.op, layout, dataset.name, shape);
}
