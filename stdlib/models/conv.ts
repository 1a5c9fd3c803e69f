// conv(input, channels, kernel: 3, hidden: [256, 256], classes: 10, activation: relu): groups of 'same'
// convolutions, each group followed by a 2x2 max-pool, then dense layers. Conv layers are conv1, conv2,
// ... counted across groups; dense layers fc1, fc2, ..., the last one `output`. The presets are the
// Conv-2/4/6 networks of Frankle & Carbin (2019): conv with their channels and conv's other defaults.
import { withDefaults } from '../../core/defaults.ts';
import { arg, LIMITS } from '../signature.ts';
import { defineModel, noHiddenLayers } from './define.ts';
import { ModelError } from './errors.ts';
import {
  activationParameter, classesParameter, readActivation, readImageShape, readInt, readIntGroups, readIntList,
  type Activation, type ImageShape,
} from './params.ts';
import { convParams, denseParams } from './specs.ts';
import type { LayoutBody, ModelModule, ModelParams, ParamSpec } from './types.ts';

export interface ConvParams {
  input: ImageShape;
  /** One list of output channel counts per pooling stage. */
  channels: number[][];
  kernel: number;
  hidden: number[];
  classes: number;
  activation: Activation;
}

export function resolveConvParams(args: ModelParams): ConvParams {
  return {
    input: readImageShape('conv', args, 'input'),
    channels: readIntGroups('conv', args, 'channels'),
    kernel: readInt('conv', args, 'kernel'),
    hidden: readIntList('conv', args, 'hidden'),
    classes: readInt('conv', args, 'classes'),
    activation: readActivation('conv', args, 'activation'),
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

function convLayout(p: ConvParams, op: string): LayoutBody {
  const plan = convPlan(p, op);
  const params: ParamSpec[] = [
    ...plan.groups.flat().flatMap(({ layer, cIn, cOut }) => convParams(layer, p.kernel, cIn, cOut, true)),
    ...plan.dense.flatMap(({ layer, fanIn, fanOut }) => denseParams(layer, fanIn, fanOut)),
  ];
  return { params, inputShape: [...p.input], outputs: p.classes };
}

export const conv = defineModel({
  name: 'conv',
  summary: 'A VGG-style convolutional network: groups of 3x3 "same" convolutions, each group followed by 2x2 max-pooling, then dense layers. Layers conv1, conv2, ..., fc1, fc2, ..., output.',
  // 2: the wasm conv weight gradient sums its products in chunks of pixels (other rounding).
  // 3: on wasm, 3×3 stride-1 convs of 8+ channels compute by Winograd's F(4×4, 3×3), and other stride-1
  // convs' input gradients with short patches by a column matrix (other rounding).
  version: 3,
  positional: ['input'],
  parameters: {
    input: arg.shape('input shape [height, width, channels]'),
    channels: {
      type: 'array', minItems: 1, maxItems: LIMITS.layers, items: arg.counts('channels of one stage', LIMITS.width, { minItems: 1 }),
      description: 'channels of each convolution, grouped by pooling stage',
    },
    kernel: arg.count('kernel size', LIMITS.positions, { default: 3 }),
    hidden: arg.counts('dense layer widths', LIMITS.width, { default: [256, 256] }),
    classes: classesParameter(10),
    activation: activationParameter,
  },
  required: ['input', 'channels'],
  read: resolveConvParams,
  layout: (p) => convLayout(p, 'conv'),
  hiddenLayers: noHiddenLayers,
  network: () => import('./conv-forward.ts'),
});

export type ConvPreset = 'conv2' | 'conv4' | 'conv6';

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

/** The conv parameters a preset stands for: its channels, its own `input`, `classes` and `activation`, and conv's other defaults. */
export function convPreset(preset: ConvPreset, args: ModelParams): ConvParams {
  const own = {
    input: readImageShape(preset, args, 'input'),
    channels: PRESET_CHANNELS[preset],
    classes: readInt(preset, args, 'classes'),
    activation: readActivation(preset, args, 'activation'),
  };
  return resolveConvParams(withDefaults(conv, own));
}

function presetModule(preset: ConvPreset, summary: string): ModelModule {
  return defineModel({
    name: preset,
    summary,
    // 2: the wasm conv weight gradient sums its products in chunks of pixels (other rounding).
    // 3: on wasm, 3×3 stride-1 convs of 8+ channels compute by Winograd's F(4×4, 3×3), and other stride-1
    // convs' input gradients with short patches by a column matrix (other rounding).
    version: 3,
    positional: [],
    parameters: {
      input: arg.shape('input shape [height, width, channels]', [32, 32, 3]),
      classes: classesParameter(10),
      activation: activationParameter,
    },
    read: (args) => convPreset(preset, args),
    layout: (p) => convLayout(p, preset),
    hiddenLayers: noHiddenLayers,
    network: () => import('./conv-forward.ts'),
  });
}

export const conv2 = presetModule('conv2', 'Conv-2 of Frankle & Carbin (2019): [[64, 64]] convolutions, dense [256, 256].');
export const conv4 = presetModule('conv4', 'Conv-4 of Frankle & Carbin (2019): [[64, 64], [128, 128]] convolutions, dense [256, 256].');
export const conv6 = presetModule('conv6', 'Conv-6 of Frankle & Carbin (2019): [[64, 64], [128, 128], [256, 256]] convolutions, dense [256, 256].');
