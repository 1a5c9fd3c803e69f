// linearization(INIT, RUN, on:): how far a trained net f(θ) is from its tangent model at θ0,
//   f_lin(θ) = f(θ0) + J(θ0)(θ − θ0)        (Lee et al. 2019; neural-tangents' `linearize`),
// on the first `samples` examples of a split. Metrics: rmse = sqrt(mean((f(θ) − f_lin(θ))²)) over every
// output (logit), agreement = share of predictions where argmax f(θ) = argmax f_lin(θ), and the
// accuracy of each; rmse_relative = rmse / rms(f(θ) − f(θ0)) says how much of the function's change
// the tangent model misses (0: training stayed linear; about 1: the tangent model explains nothing).
//
// The JVP J(θ0)·v. tfjs has reverse mode only; two ways to get a forward-mode product from it:
//  - double VJP (exact): g(u) = J(θ0)ᵀu is linear in the cotangent u, so ∇_u ⟨g(u), v⟩ = J(θ0)v.
//    tfjs differentiates through its own gradients, so this is exact to float32 rounding and costs
//    about three backward passes. Used whenever the model's backward pass is itself differentiable.
//  - one-sided finite difference (fallback): (f(θ0 + s·v) − f(θ0)) / s. tfjs 4.22 registers no
//    gradient for the kernels in the backward pass of convolutions (Conv2DBackpropFilter) and of
//    max-pooling (MaxPoolGrad), so conv nets, LeNet-5 and ResNets fall back to it. One-sided, not
//    central: with zero-initialized biases and blank image regions many ReLUs sit exactly at their
//    kink at θ0; the forward difference gives the derivative along the path θ0 + t·(θ − θ0) that the
//    net actually follows, where a central one averages both sides (measured: relative rmse 0.19
//    instead of ~0 for a conv net displaced by 1e-4 from its init). The step is relative:
//    s·‖v‖ = FD_STEP · max(‖θ0‖, ‖θ‖). In float32 its error comes from units whose pre-activation
//    crosses zero within s·v (grows with the step) and from rounding (grows as it shrinks);
//    measured against the exact JVP on ReLU/tanh MLPs and a ResNet it is 4e-4 to 1.1e-3 of
//    rms(Jv) at 1e-4, the best of the steps tried (1e-2 … 1e-5). `fd_step` reports the step used (0
//    when the JVP was exact). At exact kinks the exact path uses tfjs's convention relu'(0) = 0.
//
// Masks: θ0 and θ are taken as stored (a rewind point is already masked), so v = θ − θ0 is the
// actual displacement. Batch-norm running statistics are not parameters: f(θ0) and J(θ0) use θ0's,
// f(θ) uses θ's. Language models count every position's logits, as their accuracy does.
import * as tf from '@tensorflow/tfjs-core';
import type { Checkpoint, ProbeResult } from '../../core/artifacts.ts';
import type { OpCatalog, StageImplementation } from '../../core/op.ts';
import type { LoadedDataset } from '../datasets/index.ts';
import { correct, readScalars } from '../nn/losses.ts';
import { probeData } from '../stage-support/data.ts';
import { failing } from '../stage-support/failure.ts';
import { checkSameModel } from '../stage-support/models.ts';
import { checkpointInput, integerParam } from '../stage-support/params.ts';
import {
  disposeTensors, examplesOf, networkOf, outputsOf, parameterNorm, uploadBuffers, uploadParams, type Network,
} from './network.ts';

export interface LinearizationTarget {
  /** θ0, the linearization point. */
  init: Checkpoint;
  /** θ, the trained weights (same model). */
  x: Checkpoint;
  /** Where the checkpoints' model is found: the library the runtime was given. */
  library: OpCatalog;
  dataset: LoadedDataset;
  split: 'train' | 'test';
  /** The first `samples` examples of the split (all of them if it has fewer). */
  samples: number;
}

/** Relative step of the one-sided finite difference (see the header for why this value). */
export const FD_STEP = 1e-4;
/** Examples per forward/JVP pass, so memory stays bounded whatever `samples` is. */
const CHUNK = 256;

type ParamFunction = (params: tf.Tensor[]) => tf.Tensor;

/** J(θ0)·v, exactly: the gradient with respect to the cotangent u of ⟨J(θ0)ᵀu, v⟩ (linear in u). */
export function doubleVjp(f: ParamFunction, at: tf.Tensor[], v: tf.Tensor[], outputShape: number[]): tf.Tensor {
  const innerProduct = (u: tf.Tensor): tf.Scalar => {
    const pullback = tf.grads((...params: tf.Tensor[]) => f(params))(at, u);
    return tf.addN(pullback.map((g, i) => tf.sum(tf.mul(g, v[i]!)))) as tf.Scalar;
  };
  return tf.grad(innerProduct)(tf.zeros(outputShape));
}

/** J(θ0)·v ≈ (f(θ0 + s·v) − f(θ0)) / s, given f(θ0). */
export function forwardDifference(f: ParamFunction, at: tf.Tensor[], v: tf.Tensor[], s: number, atValue: tf.Tensor): tf.Tensor {
  const ahead = f(at.map((p, i) => tf.add(p, tf.mul(v[i]!, s))));
  return tf.div(tf.sub(ahead, atValue), s);
}

/** tfjs's error for a kernel whose gradient has no gradient of its own. */
function lacksSecondOrderGradient(error: unknown): boolean {
  return error instanceof Error && /gradient function not found/i.test(error.message);
}

interface Sums {
  residual: number; // Σ (f(θ) − f_lin(θ))²
  change: number; // Σ (f(θ) − f(θ0))²
  outputs: number;
  agree: number;
  rightNet: number;
  rightLinear: number;
  predictions: number;
}

export async function linearizationProbe(target: LinearizationTarget): Promise<ProbeResult> {
  const { init, x, dataset, split } = target;
  const net = networkOf(init.model, target.library);
  const count = Math.min(target.samples, dataset[split].n);
  if (count === 0) throw new Error(`the ${split} split of ${dataset.name} has no examples`);
  const classifies = dataset.task !== 'regression';
  const theta0 = uploadParams(net, init);
  const theta = uploadParams(net, x);
  const buffers0 = uploadBuffers(net, init);
  const buffers = uploadBuffers(net, x);
  const direction = theta.map((p, i) => tf.sub(p, theta0[i]!));
  const displacement = displacementNorm(net, init, x);
  // s·‖v‖ = FD_STEP · max(‖θ0‖, ‖θ‖); undefined while the exact JVP works.
  let fdScale: number | undefined;
  const sums: Sums = { residual: 0, change: 0, outputs: 0, agree: 0, rightNet: 0, rightLinear: 0, predictions: 0 };
  try {
    for (let from = 0; from < count; from += CHUNK) {
      const rows = Int32Array.from({ length: Math.min(CHUNK, count - from) }, (_, i) => from + i);
      const chunk = (jvp: (f: ParamFunction, atValue: tf.Tensor) => tf.Tensor): ChunkSums => tf.tidy((): ChunkSums => {
        const { x: inputs, y } = examplesOf(net, dataset, split, rows);
        const f0 = (params: tf.Tensor[]) => outputsOf(net, params, buffers0, inputs);
        const atInit = f0(theta0);
        const trained = outputsOf(net, theta, buffers, inputs);
        const tangent = displacement === 0 ? tf.zerosLike(atInit) : jvp(f0, atInit);
        const linear = tf.add(atInit, tangent);
        return chunkSums(trained, linear, atInit, dataset.task === 'regression' ? undefined : { task: dataset.task, y });
      });
      if (fdScale === undefined) {
        try {
          await accumulate(sums, chunk((f, atValue) => doubleVjp(f, theta0, direction, atValue.shape)));
          continue;
        } catch (error) {
          if (!lacksSecondOrderGradient(error)) throw error;
          fdScale = (FD_STEP * Math.max(parameterNorm(net, init.weights), parameterNorm(net, x.weights))) / displacement;
        }
      }
      const s = fdScale;
      await accumulate(sums, chunk((f, atValue) => forwardDifference(f, theta0, direction, s, atValue)));
    }
  } finally {
    disposeTensors(theta0);
    disposeTensors(theta);
    disposeTensors(direction);
    disposeTensors(buffers0);
    disposeTensors(buffers);
  }
  const metrics: Record<string, number> = {
    rmse: Math.sqrt(sums.residual / sums.outputs),
    rmse_relative: sums.change === 0 ? 0 : Math.sqrt(sums.residual / sums.change),
  };
  if (classifies) {
    metrics.agreement = sums.agree / sums.predictions;
    metrics.accuracy_net = sums.rightNet / sums.predictions;
    metrics.accuracy_linear = sums.rightLinear / sums.predictions;
  }
  metrics.displacement = displacement;
  metrics.samples = count;
  metrics.fd_step = fdScale === undefined ? 0 : FD_STEP;
  return { kind: 'probe', metrics };
}

/** ‖θ − θ0‖₂ in float64. */
function displacementNorm(net: Network, init: Checkpoint, x: Checkpoint): number {
  let sum = 0;
  for (const spec of net.trainable) {
    const a = init.weights.get(spec.name)?.data;
    const b = x.weights.get(spec.name)?.data;
    if (!a || !b) continue;
    for (let i = 0; i < a.length; i++) sum += (b[i]! - a[i]!) ** 2;
  }
  return Math.sqrt(sum);
}

/** One chunk's contribution to the sums: counts as numbers, the rest as scalars still on the backend. */
type ChunkSums = {
  outputs: number;
  predictions: number;
  residual: tf.Tensor;
  change: tf.Tensor;
  classes?: { agree: tf.Tensor; rightNet: tf.Tensor; rightLinear: tf.Tensor };
};

function chunkSums(
  trained: tf.Tensor, linear: tf.Tensor, atInit: tf.Tensor,
  classes: { task: 'classification' | 'language-model'; y: tf.Tensor } | undefined,
): ChunkSums {
  const residual = tf.sum(tf.square(tf.sub(trained, linear)));
  const change = tf.sum(tf.square(tf.sub(trained, atInit)));
  if (!classes) return { outputs: trained.size, predictions: 0, residual, change };
  const width = trained.shape[trained.rank - 1]!;
  const predicted = tf.argMax(tf.reshape(trained, [-1, width]), 1);
  const predictedLinear = tf.argMax(tf.reshape(linear, [-1, width]), 1);
  return {
    outputs: trained.size, predictions: predicted.size, residual, change,
    classes: {
      agree: tf.sum(tf.cast(tf.equal(predicted, predictedLinear), 'int32')),
      rightNet: correct(classes.task, trained, classes.y),
      rightLinear: correct(classes.task, linear, classes.y),
    },
  };
}

/** Adds a chunk's sums (read back asynchronously, then disposed) to `sums`. */
async function accumulate(sums: Sums, chunk: ChunkSums): Promise<void> {
  const c = chunk.classes;
  const [residual, change, agree, rightNet, rightLinear] = await readScalars(
    c ? [chunk.residual, chunk.change, c.agree, c.rightNet, c.rightLinear] : [chunk.residual, chunk.change],
  );
  sums.residual += residual!;
  sums.change += change!;
  sums.outputs += chunk.outputs;
  if (!c) return;
  sums.agree += agree!;
  sums.predictions += chunk.predictions;
  sums.rightNet += rightNet!;
  sums.rightLinear += rightLinear!;
}

/** The linearization stage: the tangent model at input `init`, evaluated at input `x`. */
export const linearizationStage: StageImplementation = async (stage, inputs, ctx) => {
  const init = checkpointInput(stage, inputs, 'init');
  const x = checkpointInput(stage, inputs, 'x');
  checkSameModel(init.model, x.model, (a, b) => `linearization: the linearization point is a ${a} but the trained weights are a ${b}`);
  const { dataset, split } = await probeData(stage, ctx, [init]);
  const samples = integerParam(stage.params, 'samples');
  return failing('linearization', () => linearizationProbe({ init, x, library: ctx.library, dataset, split, samples }));
};
