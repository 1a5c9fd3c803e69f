// mlp(input, hidden: [], classes, activation: relu, bias: true): fully connected layers named layer1,
// layer2, ... from the input side, the last one `output` (LeNet-300-100 is hidden: [300, 100]).
import type { LayoutBody } from './layout.ts';
import type { Activation } from './params.ts';
import { readActivation, readBool, readInt, readIntList } from './params.ts';
import { denseParams } from './specs.ts';

export interface MlpParams {
  input: number;
  hidden: number[];
  classes: number;
  activation: Activation;
  bias: boolean;
}

export const MLP_DEFAULTS = { hidden: [] as number[], activation: 'relu', bias: true } as const;

export function resolveMlpParams(args: Record<string, unknown>): MlpParams {
  return {
    input: readInt('mlp', args, 'input'),
    hidden: readIntList('mlp', args, 'hidden', MLP_DEFAULTS.hidden),
    classes: readInt('mlp', args, 'classes'),
    activation: readActivation('mlp', args, 'activation', MLP_DEFAULTS.activation),
    bias: readBool('mlp', args, 'bias', MLP_DEFAULTS.bias),
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

export function mlpLayout(args: Record<string, unknown>): LayoutBody {
  const p = resolveMlpParams(args);
  return {
    params: mlpLayers(p).flatMap(({ layer, fanIn, fanOut }) => denseParams(layer, fanIn, fanOut, p.bias)),
    inputShape: [p.input],
    outputs: p.classes,
  };
}
