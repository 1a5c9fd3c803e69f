// The training workloads the speed benchmarks time (bench/train-speed.ts on every CPU backend,
// bench/gpu/bench.ts on WebGPU), built on the active tfjs backend, with the architectures of ltx's models:
//   LeNet-300-100  784-300-100-10 MLP, ReLU                                   (mlp)
//   Conv-2         3×3 'same' convs 64, 64, max-pool 2, dense 256-256-10      (conv2, 32×32×3)
//   Conv-4         Conv-2's, then convs 128, 128, max-pool 2, dense 256-256-10 (conv4, 32×32×3)
//   Conv-6         Conv-4's, then convs 256, 256, max-pool 2, dense 256-256-10 (conv6, 32×32×3)
//   LeNet-5        5×5 convs 6 'same', pool, 16 'valid', pool, dense 120-84-10 (lenet5, 28×28×1)
// Batch 60, plain SGD (lr 0.1; 0.01 for Conv-N), softmax cross-entropy, random but fixed data. Layers are stdlib/nn/ops.ts
// primitives with inline weights, so the numbers measure the same fast gradients models get.
import * as tf from '@tensorflow/tfjs-core';
import { conv2d, linear, maxPool2d } from '../stdlib/nn/ops.ts';
import { createRng } from '../stdlib/random.ts';

export const BATCH = 60;
/** SGD's learning rate for LeNet-300-100 and LeNet-5. */
export const LEARNING_RATE = 0.1;
/** The Conv-N nets' (at 0.1 Conv-4's loss reaches NaN in its fourth step; a step costs the same either way). */
export const CONV_LEARNING_RATE = 0.01;
const CLASSES = 10;

export const WORKLOAD_NAMES = ['lenet-300-100', 'conv-2', 'conv-4', 'conv-6', 'lenet5'] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

export interface Workload {
  name: WorkloadName;
  title: string;
  /** matMul/conv FLOPs of one training step: forward, weight gradients, and input gradients of every layer but the first. */
  flopsPerStep: number;
  learningRate: number;
  warmup: number;
  /** Timed steps by default, and the rounds they are split into (alternating with PyTorch's). */
  steps: number;
  rounds: number;
  /** Whether it runs on the pure-JS cpu backend in reasonable time. */
  onCpu: boolean;
  /**
   * Builds weights and data of `batch` examples (BATCH unless a test asks for fewer) on the active
   * backend; returns one training step. A GPU backend only queues a step's work: `settle` resolves
   * when every queued step has finished (it reads a weight back).
   */
  build(batch?: number): BuiltWorkload;
}

export interface BuiltWorkload {
  step: () => void;
  settle: () => Promise<void>;
  dispose: () => void;
  /** The trained tensors, in the order of the model's layout (each layer's kernel, then its bias). */
  weights: tf.Variable[];
  x: tf.Tensor;
  /** The forward pass on `x`; the caller owns the result. */
  logits: () => tf.Tensor2D;
  /** The loss on the current weights (a forward pass only). */
  loss: () => number;
}

const denseFlops = (fanIn: number, fanOut: number) => 2 * BATCH * fanIn * fanOut;
const convFlops = (pixels: number, k: number, cin: number, cout: number) => 2 * BATCH * pixels * k * k * cin * cout;

function heNormal(shape: number[], fanIn: number, purpose: string): tf.Variable {
  const values = createRng(0, `bench/train-speed/${purpose}`).fillNormal(
    new Float32Array(shape.reduce((a, b) => a * b, 1)),
    0,
    Math.sqrt(2 / fanIn),
  );
  return tf.variable(tf.tensor(values, shape));
}

/** Random examples of `shape` ([batch, ...example]) and one-hot labels. */
function fixedData(shape: number[]): { x: tf.Tensor; labels: tf.Tensor2D } {
  const rng = createRng(0, 'bench/train-speed/data');
  const x = tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);
  const ids = Int32Array.from({ length: shape[0]! }, () => rng.int(CLASSES));
  return { x, labels: tf.cast(tf.oneHot(tf.tensor1d(ids, 'int32'), CLASSES), 'float32') as tf.Tensor2D };
}

/** Mean softmax cross-entropy against one-hot labels, as −mean Σ labels·log softmax(logits). */
function crossEntropy(labels: tf.Tensor2D, logits: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), 1))) as tf.Scalar;
}

/** SGD steps on `weights` (each step's tensors are freed before it returns), and the rest of a built workload. */
function sgdWorkload(
  learningRate: number,
  weights: tf.Variable[],
  logits: () => tf.Tensor2D,
  x: tf.Tensor,
  labels: tf.Tensor2D,
): BuiltWorkload {
  const optimizer = tf.train.sgd(learningRate);
  return {
    step: () => {
      const loss = optimizer.minimize(() => crossEntropy(labels, logits()), false, weights);
      loss?.dispose();
    },
    // The last weight is updated last in a step: once it can be read, every queued step is done.
    settle: async () => {
      await weights.at(-1)!.data();
    },
    dispose: () => tf.dispose([...weights, x, labels]),
    weights,
    x,
    logits,
    loss: () => tf.tidy(() => crossEntropy(labels, logits()).dataSync()[0]!),
  };
}

const mlpSizes = [784, 300, 100, 10];

export const lenet: Workload = {
  name: 'lenet-300-100',
  title: 'LeNet-300-100',
  flopsPerStep:
    // forward + weight gradients: 2× every layer; input gradients: every layer but the first
    2 * mlpSizes.slice(1).reduce((sum, out, i) => sum + denseFlops(mlpSizes[i]!, out), 0) +
    mlpSizes.slice(2).reduce((sum, out, i) => sum + denseFlops(mlpSizes[i + 1]!, out), 0),
  learningRate: LEARNING_RATE,
  // The threaded wasm build needs a few hundred steps to reach its steady pace (up to 2× slower
  // before); training runs take thousands, so the steady state is what a run sees.
  warmup: 500,
  steps: 400,
  rounds: 4,
  onCpu: true,
  build(batch = BATCH) {
    const layers = mlpSizes.slice(1).map((out, i) => ({
      w: heNormal([mlpSizes[i]!, out], mlpSizes[i]!, `mlp/w${i}`),
      b: tf.variable(tf.zeros([out])),
    }));
    const { x, labels } = fixedData([batch, 784]);
    const logits = () => {
      let h = x as tf.Tensor2D;
      layers.forEach(({ w, b }, i) => {
        h = linear(h, w as tf.Tensor2D, b as tf.Tensor1D);
        if (i < layers.length - 1) h = tf.relu(h);
      });
      return h;
    };
    const weights = layers.flatMap(({ w, b }) => [w, b]);
    return sgdWorkload(LEARNING_RATE, weights, logits, x, labels);
  },
};

/** One conv layer of a conv workload: stride 1, bias, ReLU, then (with `pool`) a 2×2 max-pool. */
interface ConvLayer {
  kernel: number;
  channels: number;
  pad: 'same' | 'valid';
  pool: boolean;
}

/** Conv layers on images of shape `input` (NHWC), a flatten, then dense layers of widths `hidden` (ReLU) and the 10 logits. */
interface ConvArchitecture {
  input: [height: number, width: number, channels: number];
  convs: ConvLayer[];
  hidden: number[];
}

/** The Conv-2/4/6 layers (stdlib/models/conv.ts): 3×3 'same' convs, a pool after each group. */
function vggConvs(groups: number[][]): ConvLayer[] {
  return groups.flatMap((group) => group.map((channels, i) => ({ kernel: 3, channels, pad: 'same' as const, pool: i === group.length - 1 })));
}

interface ConvShapes {
  convs: { kernel: number; cIn: number; cOut: number; pad: 'same' | 'valid'; pool: boolean; outPixels: number }[];
  /** Features after the last conv layer's pool: the first dense layer's fan-in. */
  flatFeatures: number;
  /** [fanIn, fanOut] of every dense layer, the output layer last. */
  dense: [number, number][];
}

/** Every layer's shapes, as the models work them out: 'valid' loses kernel − 1 per side, a pool halves (rounding down). */
function convShapes(arch: ConvArchitecture): ConvShapes {
  let [height, width, cIn] = arch.input;
  const convs = arch.convs.map(({ kernel, channels, pad, pool }) => {
    if (pad === 'valid') {
      height -= kernel - 1;
      width -= kernel - 1;
    }
    const layer = { kernel, cIn, cOut: channels, pad, pool, outPixels: height * width };
    if (pool) {
      height = Math.floor(height / 2);
      width = Math.floor(width / 2);
    }
    cIn = channels;
    return layer;
  });
  const flatFeatures = height * width * cIn;
  const widths = [flatFeatures, ...arch.hidden, CLASSES];
  return { convs, flatFeatures, dense: widths.slice(1).map((out, i) => [widths[i]!, out]) };
}

/** Forward, weight gradients and input gradients of every layer but the first conv (the data needs none). */
function convNetFlops(shapes: ConvShapes): number {
  const convs = shapes.convs.map(({ outPixels, kernel, cIn, cOut }) => convFlops(outPixels, kernel, cIn, cOut));
  const dense = shapes.dense.map(([fanIn, fanOut]) => denseFlops(fanIn, fanOut));
  return 3 * [...convs, ...dense].reduce((a, b) => a + b, 0) - convs[0]!;
}

function convWorkload(
  name: WorkloadName,
  title: string,
  arch: ConvArchitecture,
  settings: Pick<Workload, 'learningRate' | 'warmup' | 'steps' | 'rounds' | 'onCpu'>,
): Workload {
  const shapes = convShapes(arch);
  return {
    name,
    title,
    flopsPerStep: convNetFlops(shapes),
    ...settings,
    build(batch = BATCH) {
      const convs = shapes.convs.map(({ kernel, cIn, cOut, pad, pool }, i) => ({
        k: heNormal([kernel, kernel, cIn, cOut], kernel * kernel * cIn, `${name}/k${i + 1}`),
        c: tf.variable(tf.zeros([cOut])),
        pad,
        pool,
      }));
      const dense = shapes.dense.map(([fanIn, out], i) => ({
        w: heNormal([fanIn, out], fanIn, `${name}/d${i}`),
        b: tf.variable(tf.zeros([out])),
      }));
      const { x, labels } = fixedData([batch, ...arch.input]);
      const logits = () => {
        let image = x as tf.Tensor4D;
        for (const { k, c, pad, pool } of convs) {
          image = tf.relu(conv2d(image, k as tf.Tensor4D, c as tf.Tensor1D, 1, pad));
          if (pool) image = maxPool2d(image, 2, 2);
        }
        let h = tf.reshape(image, [batch, shapes.flatFeatures]) as tf.Tensor2D;
        dense.forEach(({ w, b }, i) => {
          h = linear(h, w as tf.Tensor2D, b as tf.Tensor1D);
          if (i < dense.length - 1) h = tf.relu(h);
        });
        return h;
      };
      const weights = [...convs.flatMap(({ k, c }) => [k, c]), ...dense.flatMap(({ w, b }) => [w, b])];
      return sgdWorkload(settings.learningRate, weights, logits, x, labels);
    },
  };
}

// A Conv-N step takes 0.5–2.5 s on wasm (2 threads, 2 cores), minutes on the pure-JS cpu backend.
const convSettings = { learningRate: CONV_LEARNING_RATE, warmup: 2, steps: 10, rounds: 2, onCpu: false };

export const convNet = convWorkload('conv-2', 'Conv-2 (32×32×3)', { input: [32, 32, 3], convs: vggConvs([[64, 64]]), hidden: [256, 256] }, convSettings);
export const conv4 = convWorkload(
  'conv-4',
  'Conv-4 (32×32×3)',
  { input: [32, 32, 3], convs: vggConvs([[64, 64], [128, 128]]), hidden: [256, 256] },
  convSettings,
);
export const conv6 = convWorkload(
  'conv-6',
  'Conv-6 (32×32×3)',
  { input: [32, 32, 3], convs: vggConvs([[64, 64], [128, 128], [256, 256]]), hidden: [256, 256] },
  convSettings,
);
/** LeNet-5 as stdlib/models/lenet5.ts trains it: ReLU, max-pools, on its default 28×28×1 input. */
export const lenet5 = convWorkload(
  'lenet5',
  'LeNet-5 (28×28×1)',
  {
    input: [28, 28, 1],
    convs: [
      { kernel: 5, channels: 6, pad: 'same', pool: true },
      { kernel: 5, channels: 16, pad: 'valid', pool: true },
    ],
    hidden: [120, 84],
  },
  // ~50 ms a step on wasm, where the threaded build takes a while to reach its pace as for the MLP; 3.6 s on cpu.
  { learningRate: LEARNING_RATE, warmup: 200, steps: 400, rounds: 4, onCpu: false },
);

/** Every workload, in the order the benchmarks run and list them. */
export const WORKLOADS: readonly Workload[] = [lenet, convNet, conv4, conv6, lenet5];
