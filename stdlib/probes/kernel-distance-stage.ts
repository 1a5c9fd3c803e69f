// kernel_distance(A, B, on:, samples:, seed:): how far apart the empirical neural tangent kernels of
// two sets of weights are on the same probe inputs (Fort et al. 2020):
//   Θ(x, x') = Σ_k ∇_θ f_k(x) · ∇_θ f_k(x')      (the N×N kernel, traced over the logits k)
//   distance = 1 − ⟨K1, K2⟩_F / (‖K1‖_F ‖K2‖_F)   (0 for kernels equal up to scale; at most 2)
// The trace is a plain sum over logits: neural-tangents divides it by the number of logits, which
// rescales the kernel and so changes kernel_norm_* but neither the distance nor the alignments.
// The full (N·k)×(N·k) kernel would cost k² as much memory for nothing the distance needs.
//
// Probe inputs: `samples` examples of the split drawn without replacement by createRng(seed,
// 'kernel_distance/inputs'); both kernels are computed on the same ones.
// Masks: pruned weights are not parameters of a masked network (training never moves them), so
// their gradients are left out: each kernel is that of the network as it trains under its own mask.
// Language models: the logits of the last position (the prediction made with the whole context).
// Cost: one forward and backward pass of one example per (input, logit) pair; memory N × P floats.
//
// Also reported: kernel_norm_a/b = ‖K‖_F, and alignment_a/b, the centered kernel-target alignment
// (Cortes et al. 2012) A_c = ⟨HKH, HYYᵀH⟩_F / (‖HKH‖_F ‖HYYᵀH‖_F), H = I − 11ᵀ/N, with Y the one-hot
// labels (the regression targets for regression); absent when the targets do not vary.
import * as tf from '@tensorflow/tfjs-core';
import type { Checkpoint, ProbeResult } from '../../core/artifacts.ts';
import type { OpCatalog, StageImplementation } from '../../core/op.ts';
import type { LoadedDataset } from '../datasets/index.ts';
import { createRng } from '../random.ts';
import { probeData } from '../stage-support/data.ts';
import { failing } from '../stage-support/failure.ts';
import { checkpointInput, integerParam } from '../stage-support/params.ts';
import {
  disposeTensors, examplesOf, networkOf, outputsOf, uploadBuffers, uploadMasks, uploadParams, type Network,
} from './network.ts';

export interface KernelDistanceTarget {
  a: Checkpoint;
  b: Checkpoint;
  /** Where the checkpoints' model is found: the library the runtime was given. */
  library: OpCatalog;
  dataset: LoadedDataset;
  split: 'train' | 'test';
  /** Probe inputs (all examples of the split if it has fewer). */
  samples: number;
  seed: number;
}

/** N×N row-major, float64. */
export interface Kernel {
  n: number;
  values: Float64Array;
}

/** The probe inputs: `samples` distinct rows of the split, in a seeded random order. */
export function probeRows(examples: number, samples: number, seed: number): Int32Array {
  return createRng(seed, 'kernel_distance/inputs').permutation(examples).slice(0, Math.min(samples, examples));
}

/**
 * The empirical NTK of `checkpoint` on inputs `x` [N, ...], traced over the logits (see the header); its
 * model as `library` has it.
 */
export async function empiricalNtk(checkpoint: Checkpoint, x: tf.Tensor, library: OpCatalog): Promise<Kernel> {
  const net = networkOf(checkpoint.model, library);
  const n = x.shape[0]!;
  const params = uploadParams(net, checkpoint);
  const buffers = uploadBuffers(net, checkpoint);
  const masks = uploadMasks(net, checkpoint.mask);
  try {
    const examples = Array.from({ length: n }, (_, i) => tf.slice(x, i, 1));
    try {
      const logits = tf.tidy(() => lastLogits(outputsOf(net, params, buffers, examples[0]!)).shape[1]!);
      let kernel = tf.zeros([n, n]);
      for (let k = 0; k < logits; k++) {
        const next = tf.tidy(() => {
          // Row i: ∇_θ f_k(x_i), flattened over every trainable parameter (pruned ones left out).
          const rows = examples.map((example) => gradientRow(net, params, buffers, masks, example, k));
          const jacobian = tf.stack(rows) as tf.Tensor2D;
          return tf.add(kernel, tf.matMul(jacobian, jacobian, false, true));
        });
        kernel.dispose();
        kernel = next;
      }
      // Read asynchronously: tfjs's webgpu backend has no synchronous read in Node.
      const values = Float64Array.from(await kernel.data());
      kernel.dispose();
      return { n, values: symmetrized(values, n) };
    } finally {
      disposeTensors(examples);
    }
  } finally {
    disposeTensors(params);
    disposeTensors(buffers);
    disposeTensors(masks);
  }
}

function gradientRow(
  net: Network, params: tf.Tensor[], buffers: Record<string, tf.Tensor>, masks: (tf.Tensor | undefined)[], example: tf.Tensor, k: number,
): tf.Tensor1D {
  const logit = (...ps: tf.Tensor[]) => tf.reshape(tf.slice(lastLogits(outputsOf(net, ps, buffers, example)), [0, k], [1, 1]), []) as tf.Scalar;
  const grads = tf.grads(logit)(params);
  return tf.concat(grads.map((g, i) => tf.reshape(masks[i] ? tf.mul(g, masks[i]!) : g, [-1]))) as tf.Tensor1D;
}

/** [n, k] logits, or the last position's [n, vocab] of a language model's [n, t, vocab]. */
function lastLogits(output: tf.Tensor): tf.Tensor2D {
  if (output.rank === 2) return output as tf.Tensor2D;
  if (output.rank !== 3) throw new Error(`kernel_distance: unexpected model output of shape [${output.shape.join(', ')}]`);
  const [n, t, vocab] = output.shape as [number, number, number];
  return tf.reshape(tf.slice(output, [0, t - 1, 0], [n, 1, vocab]), [n, vocab]);
}

/** Float32 products are not exactly symmetric; the kernel is, by definition. */
function symmetrized(values: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const mean = (values[i * n + j]! + values[j * n + i]!) / 2;
      values[i * n + j] = mean;
      values[j * n + i] = mean;
    }
  }
  return values;
}

export function frobeniusNorm(k: Kernel): number {
  return Math.sqrt(sumOfSquares(k));
}

function sumOfSquares(k: Kernel): number {
  let sum = 0;
  for (const v of k.values) sum += v * v;
  return sum;
}

/** 1 − ⟨K1, K2⟩_F / (‖K1‖_F ‖K2‖_F); NaN when a kernel is zero (no direction to compare). */
export function kernelDistance(k1: Kernel, k2: Kernel): number {
  if (k1.n !== k2.n) throw new Error(`kernels on ${k1.n} and ${k2.n} inputs cannot be compared`);
  let dot = 0;
  for (let i = 0; i < k1.values.length; i++) dot += k1.values[i]! * k2.values[i]!;
  // √(s·s) is s exactly, so identical kernels are at 0, not 1 − (1 ± 1 ulp); and rounding never takes
  // the distance out of [0, 2] (a printed -2.2e-16 would read as a measurement).
  const distance = 1 - dot / Math.sqrt(sumOfSquares(k1) * sumOfSquares(k2));
  return Math.min(2, Math.max(0, distance));
}

/** HKH with H = I − 11ᵀ/n: rows and columns centered. */
export function centered(k: Kernel): Kernel {
  const { n, values } = k;
  const rowMean = new Float64Array(n);
  let grand = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) rowMean[i]! += values[i * n + j]! / n;
    grand += rowMean[i]! / n;
  }
  // K is symmetric, so column means equal row means.
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = values[i * n + j]! - rowMean[i]! - rowMean[j]! + grand;
  return { n, values: out };
}

/** YYᵀ for targets Y [n, width] (row-major). */
export function targetKernel(targets: Float64Array, n: number, width: number): Kernel {
  const values = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let c = 0; c < width; c++) dot += targets[i * width + c]! * targets[j * width + c]!;
      values[i * n + j] = dot;
    }
  }
  return { n, values };
}

/** Centered kernel-target alignment; undefined when either centered kernel is zero. */
export function centeredAlignment(k: Kernel, target: Kernel): number | undefined {
  const kc = centered(k);
  const tc = centered(target);
  const norms = frobeniusNorm(kc) * frobeniusNorm(tc);
  if (!(norms > 0)) return undefined;
  let dot = 0;
  for (let i = 0; i < kc.values.length; i++) dot += kc.values[i]! * tc.values[i]!;
  return dot / norms;
}

/** Y for the alignment: one-hot labels (of the last position for language models), or regression targets. */
function alignmentTargets(dataset: LoadedDataset, split: 'train' | 'test', rows: Int32Array): { values: Float64Array; width: number } {
  const data = dataset[split];
  const perExample = data.y.length / data.n;
  if (dataset.task === 'regression') {
    const values = new Float64Array(rows.length * perExample);
    rows.forEach((row, i) => { for (let c = 0; c < perExample; c++) values[i * perExample + c] = data.y[row * perExample + c]!; });
    return { values, width: perExample };
  }
  const classes = dataset.classes;
  const values = new Float64Array(rows.length * classes);
  rows.forEach((row, i) => { values[i * classes + data.y[row * perExample + perExample - 1]!] = 1; });
  return { values, width: classes };
}

export async function kernelDistanceProbe(target: KernelDistanceTarget): Promise<ProbeResult> {
  const { a, b, dataset, split } = target;
  const rows = probeRows(dataset[split].n, target.samples, target.seed);
  if (rows.length < 2) throw new Error(`kernel_distance needs at least 2 probe inputs; the ${split} split of ${dataset.name} has ${rows.length}`);
  const x = tf.tidy(() => examplesOf(networkOf(a.model, target.library), dataset, split, rows).x);
  let ka: Kernel;
  let kb: Kernel;
  try {
    ka = await empiricalNtk(a, x, target.library);
    kb = await empiricalNtk(b, x, target.library);
  } finally {
    x.dispose();
  }
  const metrics: Record<string, number> = {
    distance: kernelDistance(ka, kb),
    kernel_norm_a: frobeniusNorm(ka),
    kernel_norm_b: frobeniusNorm(kb),
  };
  const y = alignmentTargets(dataset, split, rows);
  const targetK = targetKernel(y.values, rows.length, y.width);
  const alignmentA = centeredAlignment(ka, targetK);
  const alignmentB = centeredAlignment(kb, targetK);
  if (alignmentA !== undefined) metrics.alignment_a = alignmentA;
  if (alignmentB !== undefined) metrics.alignment_b = alignmentB;
  metrics.samples = rows.length;
  return { kind: 'probe', metrics };
}

/** The kernel_distance stage: the empirical NTKs of inputs `a` and `b`. */
export const kernelDistanceStage: StageImplementation = async (stage, inputs, ctx) => {
  const a = checkpointInput(stage, inputs, 'a');
  const b = checkpointInput(stage, inputs, 'b');
  const { dataset, split } = await probeData(stage, ctx, [a, b]);
  const samples = integerParam(stage.params, 'samples');
  const seed = integerParam(stage.params, 'seed');
  return failing('kernel_distance', () => kernelDistanceProbe({ a, b, library: ctx.library, dataset, split, samples, seed }));
};
