// An optimizer whose update is one elementwise formula (../nn/formula.ts) over the parameter, its
// gradient and its slots: one SIMD pass per parameter where the backend has the kernel, the same
// bits as the formula's operations one by one.
import type * as tf from '@tensorflow/tfjs-core';
import { formula, withMask, type Expr } from '../nn/formula.ts';
import { runFormula } from '../nn/formula-run.ts';
import type { ParameterUpdate, TensorOptimizer } from './types.ts';

export interface UpdateDefinition {
  op: string;
  slotNames: readonly string[];
  /** The new parameter ('param') and the new value of every slot, from inputs 'param', 'grad' and the slots. */
  outputs: Record<string, Expr>;
  /** The formula's scalars at update number `update` (counting from 1) with learning rate `lr`. */
  scalars(lr: number, update: number): Record<string, number>;
}

export function formulaOptimizer(definition: UpdateDefinition): TensorOptimizer {
  const plain = formula(definition.outputs);
  // The mask multiplies the gradient before use and every result after it.
  const masked = withMask(plain, 'mask', ['grad']);
  return {
    op: definition.op,
    slotNames: definition.slotNames,
    update: plain,
    scalarsAt: definition.scalars,
    apply(param, grad, slots, lr, update, mask): ParameterUpdate {
      const inputs: Record<string, tf.Tensor> = { param, grad };
      for (const name of definition.slotNames) {
        const slot = slots[name];
        if (!slot) throw new Error(`${definition.op}: the ${name} slot is missing`);
        inputs[name] = slot;
      }
      if (mask) inputs['mask'] = mask;
      const out = runFormula(mask ? masked : plain, inputs, definition.scalars(lr, update));
      return { param: out['param']!, slots: Object.fromEntries(definition.slotNames.map((name) => [name, out[name]!])) };
    },
  };
}
