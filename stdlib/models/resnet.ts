// resnet(depth: 20, width: 16, input: [32, 32, 3], classes: 10): the CIFAR ResNet of He et al. (2016),
// depth = 6n + 2: a 3x3 stem conv, three stages of n basic blocks of widths w, 2w, 4w (stride 2 at the
// start of stages 2 and 3), batch norm after every conv, global average pool, one dense `output`.
// Convs carry no bias (the batch norm that follows has a shift), as in OpenLTH's cifar_resnet.
import * as tf from '@tensorflow/tfjs-core';
import { conv2d, linear } from '../nn/ops.ts';
import { arg, LIMITS } from '../signature.ts';
import { defineModel } from './define.ts';
import { ModelError } from './errors.ts';
import { asImages, batchNorm, kernelOf, matrixOf, vectorOf } from './layers.ts';
import { classesParameter, readImageShape, readInt, type ImageShape } from './params.ts';
import { batchNormParams, convParams, denseParams } from './specs.ts';
import type { ForwardResult, LayoutBody, ModelParams, ParamSpec, Weights } from './types.ts';

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

interface ResnetOutput {
  logits: tf.Tensor2D;
  /** Updated running statistics by parameter name ('bn0.mean', ...); training mode only. */
  buffers: Record<string, tf.Tensor>;
}

/** Logits [n, classes] of the CIFAR ResNet on NHWC images. */
function resnetForward(p: ResnetParams, weights: Weights, x: tf.Tensor, training: boolean): ResnetOutput {
  const buffers: Record<string, tf.Tensor> = {};
  const conv = (layer: string, input: tf.Tensor4D, stride: number) =>
    conv2d(input, kernelOf(weights, `${layer}.weight`), undefined, stride, 'same');
  const norm = (layer: string, input: tf.Tensor4D) => {
    const { y, running } = batchNorm(
      input,
      {
        scale: vectorOf(weights, `${layer}.scale`),
        shift: vectorOf(weights, `${layer}.shift`),
        mean: weights[`${layer}.mean`] as tf.Tensor1D | undefined,
        variance: weights[`${layer}.var`] as tf.Tensor1D | undefined,
      },
      training,
    );
    if (running) {
      buffers[`${layer}.mean`] = running.mean;
      buffers[`${layer}.var`] = running.variance;
    }
    return y;
  };

  let h = tf.relu(norm('bn0', conv('conv0', asImages(x, p.input, 'resnet'), 1)));
  for (const b of resnetBlocks(p)) {
    const inner = tf.relu(norm(`${b.prefix}.bn1`, conv(`${b.prefix}.conv1`, h, b.stride)));
    const residual = norm(`${b.prefix}.bn2`, conv(`${b.prefix}.conv2`, inner, 1));
    const shortcut = b.projection ? norm(`${b.prefix}.shortcut_bn`, conv(`${b.prefix}.shortcut`, h, b.stride)) : h;
    h = tf.relu(tf.add(residual, shortcut)) as tf.Tensor4D;
  }
  const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
  return { logits: linear(pooled, matrixOf(weights, 'output.weight'), vectorOf(weights, 'output.bias')), buffers };
}

export const resnet = defineModel({
  name: 'resnet',
  summary: 'The CIFAR ResNet of He et al. (2016), depth 6n+2, with batch norm; convs stageS.blockB.conv1/conv2, stem conv0, output.',
  // 2: the wasm conv weight gradient sums its products in chunks of pixels (other rounding).
  version: 2,
  positional: ['depth'],
  parameters: {
    depth: arg.count('depth (6n + 2: 8, 14, 20, 32, 56, ...)', LIMITS.layers, { minimum: 8, default: 20 }),
    width: arg.count('channels of the first stage (doubled in each later stage)', LIMITS.width, { default: 16 }),
    input: arg.shape('input shape [height, width, channels]', [32, 32, 3]),
    classes: classesParameter(10),
  },
  read: resolveResnetParams,
  layout: resnetLayout,
  forward: (p, weights, x, { training }): ForwardResult => {
    const { logits, buffers } = resnetForward(p, weights, x, training);
    return training ? { output: logits, buffers } : { output: logits };
  },
});
