// mlp(input, hidden: [], classes, activation: relu, bias: true): fully connected layers named layer1,
// layer2, ... from the input side, the last one `output` (LeNet-300-100 is hidden: [300, 100]).
import { arg, LIMITS } from '../signature.ts';
import { defineModel } from './define.ts';
import { activationParameter, classesParameter, readActivation, readBool, readInt, readIntList, type Activation } from './params.ts';
import { denseParams } from './specs.ts';
import type { LayoutBody, ModelParams } from './types.ts';

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

/** Every layer but `output`: the forward exposes each one's units after the activation. */
export function mlpHiddenLayers(p: MlpParams): string[] {
  return mlpLayers(p).map(({ layer }) => layer).filter((layer) => layer !== 'output');
}

function mlpLayout(p: MlpParams): LayoutBody {
  return {
    params: mlpLayers(p).flatMap(({ layer, fanIn, fanOut }) => denseParams(layer, fanIn, fanOut, p.bias)),
    inputShape: [p.input],
    outputs: p.classes,
  };
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
  hiddenLayers: mlpHiddenLayers,
  network: () => import('./mlp-forward.ts'),
  stacked: true,
});
