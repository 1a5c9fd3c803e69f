// lenet5(input: [28, 28, 1], classes: 10): LeCun et al.'s LeNet-5 with ReLU and max-pooling:
// conv1 6@5x5 'same', pool 2, conv2 16@5x5 'valid', pool 2, fc1 120, fc2 84, output.
import { ModelError } from './errors.ts';
import type { LayoutBody } from './layout.ts';
import type { ImageShape } from './params.ts';
import { readImageShape, readInt } from './params.ts';
import { convParams, denseParams } from './specs.ts';

export interface Lenet5Params {
  input: ImageShape;
  classes: number;
}

export const LENET5_DEFAULTS = { input: [28, 28, 1] as ImageShape, classes: 10 };
export const LENET5_KERNEL = 5;
/** The smallest side that survives pool, 5x5 'valid' conv, pool: floor(s/2) - 4 >= 2. */
export const LENET5_MIN_SIDE = 12;

export function resolveLenet5Params(args: Record<string, unknown>): Lenet5Params {
  return {
    input: readImageShape('lenet5', args, 'input', LENET5_DEFAULTS.input),
    classes: readInt('lenet5', args, 'classes', LENET5_DEFAULTS.classes),
  };
}

/** Features entering fc1: the second pool's output, flattened. */
export function lenet5FlatFeatures(p: Lenet5Params): number {
  const [height, width] = p.input;
  if (height < LENET5_MIN_SIDE || width < LENET5_MIN_SIDE) {
    throw new ModelError(
      `lenet5: the input ${p.input.join('x')} is too small: after the first 2x2 pool the 5x5 'valid' conv2 ` +
        `and the second 2x2 pool need at least 6x6, so height and width must be at least ${LENET5_MIN_SIDE}`,
      'input',
    );
  }
  const side = (s: number) => Math.floor((Math.floor(s / 2) - LENET5_KERNEL + 1) / 2);
  return side(height) * side(width) * 16;
}

export function lenet5Layout(args: Record<string, unknown>): LayoutBody {
  const p = resolveLenet5Params(args);
  const flat = lenet5FlatFeatures(p);
  return {
    params: [
      ...convParams('conv1', LENET5_KERNEL, p.input[2], 6, true),
      ...convParams('conv2', LENET5_KERNEL, 6, 16, true),
      ...denseParams('fc1', flat, 120),
      ...denseParams('fc2', 120, 84),
      ...denseParams('output', 84, p.classes),
    ],
    inputShape: [...p.input],
    outputs: p.classes,
  };
}
