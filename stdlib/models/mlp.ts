// mlp(input, hidden: [], classes, activation: relu, bias: true): fully connected layers named layer1,
// layer2, ... from the input side, the last one `output` (LeNet-300-100 is hidden: [300, 100]).
import type * as tf from '@tensorflow/tfjs-core';
import { linear } from '../nn/ops.ts';
import { arg, LIMITS } from '../signature.ts';
import { defineModel } from './define.ts';
import { activate, flatten, matrixOf, vectorOf } from './layers.ts';
import { activationParameter, classesParameter, readActivation, readBool, readInt, readIntList, type Activation } from './params.ts';
import { denseParams } from './specs.ts';
import type { LayoutBody, ModelParams, Weights } from './types.ts';

export interface MlpParams {
  input: number;
  hidden: number[];
  classes: number;
  activation: Activation;
  bias: boolean;
}

export function resolveMlpParams(args: ModelParams): MlpParams {
  return {
    input: readInt('mlp', args, 'input'),
    hidden: readIntList('mlp', args, 'hidden'),
    classes: readInt('mlp', args, 'classes'),
    activation: readActivation('mlp', args, 'activation'),
    bias: readBool('mlp', args, 'bias'),
  };
}

/** The dense layers in forward order: name and [in, out]. */
export function mlpLayers(p: MlpParams): { layer: string; fanIn: number; fanOut: number }[] {
  const widths = [p.input, ...p.hidden, p.classes];
  return widths.slice(1).map((fanOut, i) => ({
    layer: i === p.hidden.length ? 'output' : `layer${i + 1}`,
    fanIn: widths[i]!,
    fanOut,
  }));
}

function mlpLayout(p: MlpParams): LayoutBody {
  return {
    params: mlpLayers(p).flatMap(({ layer, fanIn, fanOut }) => denseParams(layer, fanIn, fanOut, p.bias)),
    inputShape: [p.input],
    outputs: p.classes,
  };
}

/**
 * Logits [n, classes] of an mlp; inputs [n, ...] are flattened to [n, input]. Each hidden layer's units
 * (after the activation) go into `hidden` when it is given.
 */
export function mlpForward(p: MlpParams, weights: Weights, x: tf.Tensor, hidden?: Record<string, tf.Tensor2D>): tf.Tensor2D {
  let h = flatten(x, p.input, 'mlp');
  for (const { layer } of mlpLayers(p)) {
    const b = p.bias ? vectorOf(weights, `${layer}.bias`) : undefined;
    h = linear(h, matrixOf(weights, `${layer}.weight`), b);
    if (layer === 'output') continue;
    h = activate(h, p.activation);
    if (hidden) hidden[layer] = h;
  }
  return h;
}

export const mlp = defineModel({
  name: 'mlp',
  summary: 'A fully connected network. Weight layers are named layer1, layer2, ... from the input side; the last is output.',
  version: 1,
  positional: ['input', 'hidden', 'classes'],
  parameters: {
    input: arg.count('input size (inputs are flattened)', LIMITS.width),
    hidden: arg.counts('hidden layer widths', LIMITS.width, { default: [] }),
    classes: classesParameter(),
    activation: activationParameter,
    bias: arg.bool('whether dense layers have biases', true),
  },
  required: ['input', 'classes'],
  read: resolveMlpParams,
  layout: mlpLayout,
  forward: (p, weights, x, opts) => {
    const hidden = opts.hidden ? {} : undefined;
    return { output: mlpForward(p, weights, x, hidden), ...(hidden && { hidden }) };
  },
});
