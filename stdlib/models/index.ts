// The model functions of the standard library, one line each (the Conv-2/4/6 presets live with conv),
// and the lookup of a model by the name a program calls it with.
import { findModule } from '../signature.ts';
import { conv, conv2, conv4, conv6 } from './conv.ts';
import { ModelError } from './errors.ts';
import { lenet5 } from './lenet5.ts';
import { mlp } from './mlp.ts';
import { resnet } from './resnet.ts';
import { transformer } from './transformer.ts';
import type { ModelModule } from './types.ts';

export const modelModules: readonly ModelModule[] = [
  mlp,
  conv,
  conv2,
  conv4,
  conv6,
  lenet5,
  resnet,
  transformer,
];

/** The names of all model functions. */
export const MODEL_OPS: readonly string[] = modelModules.map((m) => m.name);

export function modelModule(op: string): ModelModule {
  return findModule(modelModules, op, (known) => new ModelError(`unknown model '${op}' (known models: ${known})`));
}
