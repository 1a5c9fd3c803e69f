// sparsity(X): the shares of prunable weights a mask (or the mask a checkpoint trains under) keeps and
// removes, in total and per layer. Read from its table: the report draws nothing of it.
import { arg } from '../signature.ts';
import { layoutOf } from '../stage-support/models.ts';
import { checkpointOrMaskInput } from '../stage-support/params.ts';
import { sparsityProbe } from './basic.ts';
import { defineProbe, WEIGHTS } from './define.ts';

export const sparsityModule = defineProbe({
  name: 'sparsity',
  summary: 'Shares of the prunable weights kept (remaining) and removed (sparsity), total and per layer.',
  version: 1,
  positional: ['x'],
  parameters: { x: arg.ref([...WEIGHTS, 'mask'], 'a mask, or weights whose mask is measured') },
  required: ['x'],
  lowering: { subjects: { x: 'weights-or-mask' } },
  implementation: async (stage, inputs, ctx) => {
    const x = checkpointOrMaskInput(stage, inputs, 'x');
    return sparsityProbe(x, layoutOf(x.model, ctx.library));
  },
  reporting: { metrics: ['remaining', 'sparsity', 'kept', 'total'], figures: [] },
});
