// conv(input, channels, kernel: 3, hidden: [256, 256], classes: 10, activation: relu): groups of 'same' convolutions,
// each group followed by a 2x2 max-pool, then dense layers. Conv layers are conv1, conv2, ... counted
// across groups; dense layers fc1, fc2, ..., the last one `output`. The presets are the Conv-2/4/6
// networks of Frankle & Carbin (2019).
import { ModelError } from './errors.ts';
import type { LayoutBody, ParamSpec } from './layout.ts';
import type { Activation, ImageShape } from './params.ts';
import { readActivation, readImageShape, readInt, readIntGroups, readIntList } from './params.ts';
import { convParams, denseParams } from './specs.ts';

export interface ConvParams {
  input: ImageShape;
  /** One list of output channel counts per pooling stage. */
  channels: number[][];
  kernel: number;
  hidden: number[];
  classes: number;
  activation: Activation;
}

export const CONV_DEFAULTS = { kernel: 3, hidden: [256, 256], classes: 10, activation: 'relu' as Activation };

export type ConvPreset = 'conv2' | 'conv4' | 'conv6';
export const CONV_PRESET_DEFAULTS = { input: [32, 32, 3] as ImageShape, classes: 10 };

const PRESET_CHANNELS: Record<ConvPreset, number[][]> = {
  conv2: [[64, 64]],
  conv4: [
    [64, 64],
    [128, 128],
  ],
  conv6: [
    [64, 64],
    [128, 128],
    [256, 256],
  ],
};

export function isConvPreset(op: string): op is ConvPreset {
  return Object.hasOwn(PRESET_CHANNELS, op);
}

/** The conv parameters a preset stands for; `input`, `classes` and `activation` may be overridden. */
export function convPreset(preset: ConvPreset, overrides: Record<string, unknown> = {}): ConvParams {
  return {
    input: readImageShape(preset, overrides, 'input', CONV_PRESET_DEFAULTS.input),
    channels: PRESET_CHANNELS[preset].map((group) => [...group]),
    kernel: CONV_DEFAULTS.kernel,
    hidden: [...CONV_DEFAULTS.hidden],
    classes: readInt(preset, overrides, 'classes', CONV_PRESET_DEFAULTS.classes),
    activation: readActivation(preset, overrides, 'activation', CONV_DEFAULTS.activation),
  };
}

export function resolveConvParams(args: Record<string, unknown>): ConvParams {
  return {
    input: readImageShape('conv', args, 'input'),
    channels: readIntGroups('conv', args, 'channels'),
    kernel: readInt('conv', args, 'kernel', CONV_DEFAULTS.kernel),
    hidden: readIntList('conv', args, 'hidden', CONV_DEFAULTS.hidden),
    classes: readInt('conv', args, 'classes', CONV_DEFAULTS.classes),
    activation: readActivation('conv', args, 'activation', CONV_DEFAULTS.activation),
  };
}

export interface ConvPlan {
  /** Per group, its conv layers with their channel counts. */
  groups: { layer: string; cIn: number; cOut: number }[][];
  /** Dense layers after the flatten, the last one `output`. */
  dense: { layer: string; fanIn: number; fanOut: number }[];
  /** Features after the last pool: the first dense layer's fan-in. */
  flatFeatures: number;
}

/** Works out every layer's shape; throws ModelError when the pools shrink the image to nothing. */
export function convPlan(p: ConvParams, op = 'conv'): ConvPlan {
  let [height, width, cIn] = p.input;
  let index = 0;
  const groups = p.channels.map((group, g) => {
    const layers = group.map((cOut) => {
      const layer = { layer: `conv${++index}`, cIn, cOut };
      cIn = cOut;
      return layer;
    });
    if (height < 2 || width < 2) {
      throw new ModelError(
        `${op}: the input ${p.input.join('x')} is too small for ${p.channels.length} pooling stages: ` +
          `the 2x2 max-pool after group ${g + 1} would see a ${height}x${width} image ` +
          `(needs at least ${2 ** p.channels.length}x${2 ** p.channels.length})`,
        'input',
      );
    }
    height = Math.floor(height / 2);
    width = Math.floor(width / 2);
    return layers;
  });
  const flatFeatures = height * width * cIn;
  const widths = [flatFeatures, ...p.hidden, p.classes];
  const dense = widths.slice(1).map((fanOut, i) => ({
    layer: i === p.hidden.length ? 'output' : `fc${i + 1}`,
    fanIn: widths[i]!,
    fanOut,
  }));
  return { groups, dense, flatFeatures };
}

export function convLayoutOf(p: ConvParams, op = 'conv'): LayoutBody {
  const plan = convPlan(p, op);
  const params: ParamSpec[] = [
    ...plan.groups.flat().flatMap(({ layer, cIn, cOut }) => convParams(layer, p.kernel, cIn, cOut, true)),
    ...plan.dense.flatMap(({ layer, fanIn, fanOut }) => denseParams(layer, fanIn, fanOut)),
  ];
  return { params, inputShape: [...p.input], outputs: p.classes };
}

/** The conv parameters of op 'conv' or of a preset ('conv2', 'conv4', 'conv6'). */
export function convParamsOf(op: string, args: Record<string, unknown>): ConvParams {
  return isConvPreset(op) ? convPreset(op, args) : resolveConvParams(args);
}

export function convLayout(op: string, args: Record<string, unknown>): LayoutBody {
  return convLayoutOf(convParamsOf(op, args), op);
}
