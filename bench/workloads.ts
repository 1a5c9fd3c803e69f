// The training workloads the speed benchmarks time (bench/train-speed.ts on every CPU backend,
// bench/gpu/bench.ts on WebGPU), built on the active tfjs backend:
//   LeNet-300-100  784-300-100-10 MLP, ReLU
//   Conv-2         two 3×3×64 'same' convs, max-pool 2, dense 256-256-10, on 32×32×3
// Batch 60, plain SGD lr 0.1, softmax cross-entropy, random but fixed data. Layers are stdlib/nn/ops.ts
// primitives with inline weights, so the numbers measure the same fast gradients models get.
import * as tf from '@tensorflow/tfjs-core';
import { conv2d, linear, maxPool2d } from '../stdlib/nn/ops.ts';
import { createRng } from '../stdlib/random.ts';

export const BATCH = 60;
export const LEARNING_RATE = 0.1;
const CLASSES = 10;

export type WorkloadName = 'lenet-300-100' | 'conv-2';

export interface Workload {
  name: WorkloadName;
  title: string;
  /** matMul/conv FLOPs of one training step: forward, weight gradients, and input gradients of every layer but the first. */
  flopsPerStep: number;
  warmup: number;
  /**
   * Builds weights and data on the active backend; returns one training step. A GPU backend only queues
   * a step's work: `settle` resolves when every queued step has finished (it reads a weight back).
   */
  build(): BuiltWorkload;
}

export interface BuiltWorkload {
  step: () => void;
  settle: () => Promise<void>;
  dispose: () => void;
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

function fixedData(shape: number[]): { x: tf.Tensor; labels: tf.Tensor2D } {
  const rng = createRng(0, 'bench/train-speed/data');
  const x = tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);
  const ids = Int32Array.from({ length: BATCH }, () => rng.int(CLASSES));
  return { x, labels: tf.cast(tf.oneHot(tf.tensor1d(ids, 'int32'), CLASSES), 'float32') as tf.Tensor2D };
}

/** Mean softmax cross-entropy against one-hot labels, as −mean Σ labels·log softmax(logits). */
function crossEntropy(labels: tf.Tensor2D, logits: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), 1))) as tf.Scalar;
}

/** SGD steps on `weights` (each step's tensors are freed before it returns), and the rest of a built workload. */
function sgdWorkload(weights: tf.Variable[], logits: () => tf.Tensor2D, x: tf.Tensor, labels: tf.Tensor2D): BuiltWorkload {
  const optimizer = tf.train.sgd(LEARNING_RATE);
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
  // The threaded wasm build needs a few hundred steps to reach its steady pace (up to 2× slower
  // before); training runs take thousands, so the steady state is what a run sees.
  warmup: 500,
  build() {
    const layers = mlpSizes.slice(1).map((out, i) => ({
      w: heNormal([mlpSizes[i]!, out], mlpSizes[i]!, `mlp/w${i}`),
      b: tf.variable(tf.zeros([out])),
    }));
    const { x, labels } = fixedData([BATCH, 784]);
    const logits = () => {
      let h = x as tf.Tensor2D;
      layers.forEach(({ w, b }, i) => {
        h = linear(h, w as tf.Tensor2D, b as tf.Tensor1D);
        if (i < layers.length - 1) h = tf.relu(h);
      });
      return h;
    };
    const weights = layers.flatMap(({ w, b }) => [w, b]);
    return sgdWorkload(weights, logits, x, labels);
  },
};

const conv2Flops = {
  conv1: convFlops(32 * 32, 3, 3, 64),
  conv2: convFlops(32 * 32, 3, 64, 64),
  dense: denseFlops(16 * 16 * 64, 256) + denseFlops(256, 256) + denseFlops(256, CLASSES),
};

export const convNet: Workload = {
  name: 'conv-2',
  title: 'Conv-2 (32×32×3)',
  flopsPerStep: 3 * (conv2Flops.conv1 + conv2Flops.conv2 + conv2Flops.dense) - conv2Flops.conv1,
  warmup: 2,
  build() {
    const k1 = heNormal([3, 3, 3, 64], 27, 'conv/k1');
    const k2 = heNormal([3, 3, 64, 64], 576, 'conv/k2');
    const c1 = tf.variable(tf.zeros([64]));
    const c2 = tf.variable(tf.zeros([64]));
    const dense = [
      [16 * 16 * 64, 256],
      [256, 256],
      [256, CLASSES],
    ].map(([fanIn, out], i) => ({
      w: heNormal([fanIn!, out!], fanIn!, `conv/d${i}`),
      b: tf.variable(tf.zeros([out!])),
    }));
    const { x, labels } = fixedData([BATCH, 32, 32, 3]);
    const logits = () => {
      let h = tf.relu(conv2d(x as tf.Tensor4D, k1 as tf.Tensor4D, c1 as tf.Tensor1D, 1, 'same'));
      h = tf.relu(conv2d(h, k2 as tf.Tensor4D, c2 as tf.Tensor1D, 1, 'same'));
      let flat = tf.reshape(maxPool2d(h, 2, 2), [BATCH, 16 * 16 * 64]) as tf.Tensor2D;
      dense.forEach(({ w, b }, i) => {
        flat = linear(flat, w as tf.Tensor2D, b as tf.Tensor1D);
        if (i < dense.length - 1) flat = tf.relu(flat);
      });
      return flat;
    };
    const weights = [k1, c1, k2, c2, ...dense.flatMap(({ w, b }) => [w, b])];
    return sgdWorkload(weights, logits, x, labels);
  },
};
