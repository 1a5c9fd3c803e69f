// resnet(depth: 20, width: 16, input: [32, 32, 3], classes: 10): the CIFAR ResNet of He et al. (2016),
// depth = 6n + 2: a 3x3 stem conv, three stages of n basic blocks of widths w, 2w, 4w (stride 2 at the
// start of stages 2 and 3), batch norm after every conv, global average pool, one dense `output`.
// Convs carry no bias (the batch norm that follows has a shift), as in OpenLTH's cifar_resnet.
import { arg, LIMITS } from '../signature.ts';
import { defineModel, noHiddenLayers } from './define.ts';
import { ModelError } from './errors.ts';
import { classesParameter, readImageShape, readInt, type ImageShape } from './params.ts';
import { batchNormParams, convParams, denseParams } from './specs.ts';
import type { LayoutBody, ModelParams, ParamSpec } from './types.ts';

export interface ResnetParams {
  depth: number;
  width: number;
  input: ImageShape;
  classes: number;
}

export function resolveResnetParams(args: ModelParams): ResnetParams {
  const p = {
    depth: readInt('resnet', args, 'depth'),
    width: readInt('resnet', args, 'width'),
    input: readImageShape('resnet', args, 'input'),
    classes: readInt('resnet', args, 'classes'),
  };
  if (p.depth < 8 || (p.depth - 2) % 6 !== 0) {
    const below = p.depth - ((p.depth - 2) % 6);
    const hint = p.depth < 8 ? 'the smallest is 8' : `the nearest are ${below} and ${below + 6}`;
    throw new ModelError(
      `resnet: depth must be 6n + 2 with n >= 1 (8, 14, 20, 32, 44, 56, 110, ...), got ${p.depth}; ${hint}`,
      'depth',
    );
  }
  return p;
}

export interface ResnetBlock {
  /** e.g. 'stage2.block1' */
  prefix: string;
  cIn: number;
  cOut: number;
  stride: 1 | 2;
  /** A 1x1 conv + batch norm replaces the identity when the shape changes. */
  projection: boolean;
}

/** The basic blocks in forward order. */
export function resnetBlocks(p: ResnetParams): ResnetBlock[] {
  const perStage = (p.depth - 2) / 6;
  const blocks: ResnetBlock[] = [];
  let cIn = p.width;
  for (let stage = 1; stage <= 3; stage++) {
    const cOut = p.width * 2 ** (stage - 1);
    for (let block = 1; block <= perStage; block++) {
      const stride = stage > 1 && block === 1 ? 2 : 1;
      blocks.push({ prefix: `stage${stage}.block${block}`, cIn, cOut, stride, projection: stride !== 1 || cIn !== cOut });
      cIn = cOut;
    }
  }
  return blocks;
}

function resnetLayout(p: ResnetParams): LayoutBody {
  const params: ParamSpec[] = [...convParams('conv0', 3, p.input[2], p.width, false), ...batchNormParams('bn0', p.width)];
  for (const b of resnetBlocks(p)) {
    params.push(
      ...convParams(`${b.prefix}.conv1`, 3, b.cIn, b.cOut, false),
      ...batchNormParams(`${b.prefix}.bn1`, b.cOut),
      ...convParams(`${b.prefix}.conv2`, 3, b.cOut, b.cOut, false),
      ...batchNormParams(`${b.prefix}.bn2`, b.cOut),
    );
    if (b.projection) {
      params.push(
        ...convParams(`${b.prefix}.shortcut`, 1, b.cIn, b.cOut, false),
        ...batchNormParams(`${b.prefix}.shortcut_bn`, b.cOut),
      );
    }
  }
  params.push(...denseParams('output', 4 * p.width, p.classes));
  return { params, inputShape: [...p.input], outputs: p.classes };
}

export const resnet = defineModel({
  name: 'resnet',
  summary: 'The CIFAR ResNet of He et al. (2016), depth 6n+2, with batch norm; convs stageS.blockB.conv1/conv2, stem conv0, output.',
  // 2: the wasm conv weight gradient sums its products in chunks of pixels (other rounding).
  // 3: on wasm, 3×3 stride-1 convs of 8+ channels compute by Winograd's F(4×4, 3×3), and other stride-1
  // convs' input gradients with short patches by a column matrix (other rounding).
  version: 3,
  positional: ['depth'],
  parameters: {
    depth: arg.count('depth (6n + 2: 8, 14, 20, 32, 56, ...)', LIMITS.layers, { minimum: 8, default: 20 }),
    width: arg.count('channels of the first stage (doubled in each later stage)', LIMITS.width, { default: 16 }),
    input: arg.shape('input shape [height, width, channels]', [32, 32, 3]),
    classes: classesParameter(10),
  },
  read: resolveResnetParams,
  layout: resnetLayout,
  hiddenLayers: noHiddenLayers,
  network: () => import('./resnet-forward.ts'),
});
