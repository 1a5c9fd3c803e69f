// llc(X, on:, epsilon, gamma, nbeta, chains, draws, burnin, batch, seed): the local learning
// coefficient λ(w*) of Singular Learning Theory, estimated by SGLD localized at w* (Lau et al. 2023,
// as devinterp implements it). Each chain starts at w* and takes steps
//   Δw = −(ε/2) (nβ ∇L_B(w) + γ (w − w*)) + N(0, ε)
// on minibatches B of the `on` split; after `burnin` steps it records the minibatch loss L_B(w_t)
// (taken before the step) for `draws` steps, and
//   λ̂_c = nβ (mean_t L_{B_t}(w_t) − L(w*)),
// with L(w*) the mean loss at w* over the whole split (devinterp issue #38: a full-data baseline
// removes the baseline's own minibatch noise; mean_t L_B is an unbiased estimate of mean_t L).
// Reported: llc_mean and llc_std (sample standard deviation over chains, 0 for one chain), llc_chain_i,
// the ε, γ and nβ used, init_loss = L(w*), loss_below_init (the share of draws below L(w*): chains
// that keep descending mean w* was not a local minimum), and series.loss_trace [chains][draws].
//
// nβ defaults to B / ln B with B = min(batch, split size) (devinterp's default_nbeta; 1 when B = 1).
// Masked weights stay exactly zero: gradient, localization and noise are multiplied by the mask, so
// SGLD samples only the kept weights. The loss is evaluated in evaluation mode: batch-norm running
// statistics stay those of w* and the loss depends on the weights alone.
// Randomness: chain c draws its minibatches (a fresh permutation of the split per pass) and its noise
// (per step, per parameter in layout order) from createRng(seed, 'sgld/chain=' + c).
import * as tf from '@tensorflow/tfjs-core';
import type { Checkpoint, ProbeResult } from '../../core/artifacts.ts';
import type { OpCatalog, StageImplementation } from '../../core/op.ts';
import type { Stage } from '../../core/stage.ts';
import type { LoadedDataset } from '../datasets/index.ts';
import { loss } from '../nn/losses.ts';
import { createRng, type Rng } from '../random.ts';
import { probeData } from '../stage-support/data.ts';
import { failing, StageFailure } from '../stage-support/failure.ts';
import { checkpointInput, integerParam, numberParam } from '../stage-support/params.ts';
import { evaluate } from '../training/evaluate.ts';
import { disposeTensors, examplesOf, networkOf, outputsOf, uploadBuffers, uploadMasks, uploadParams, type Network } from './network.ts';

export interface LlcTarget {
  /** w*, the weights whose LLC is measured. */
  checkpoint: Checkpoint;
  /** Where the checkpoint's model is found: the library the runtime was given. */
  library: OpCatalog;
  dataset: LoadedDataset;
  split: 'train' | 'test';
}

export interface LlcSettings {
  /** SGLD step size ε. */
  epsilon: number;
  /** Localization strength γ. */
  gamma: number;
  /** Inverse temperature nβ; undefined: B / ln B. */
  nbeta?: number;
  chains: number;
  /** Recorded steps per chain. */
  draws: number;
  /** Unrecorded steps per chain before the draws. */
  burnin: number;
  /** Minibatch size B (the whole split when it is at least that large). */
  batch: number;
  seed: number;
}

export interface LlcHooks {
  signal?: AbortSignal;
  /** Called every few steps with the steps done over all chains and the latest minibatch loss. */
  onProgress?: (done: number, total: number, loss: number) => void;
}

/** devinterp's default inverse temperature for minibatches of B examples: B / ln B. */
export function defaultNbeta(batch: number): number {
  return batch > 1 ? batch / Math.log(batch) : 1;
}

/** A chain whose loss became NaN or infinite: the step size is too large for this loss surface. */
export class SgldDiverged extends Error {
  constructor(chain: number, step: number, value: number, epsilon: number) {
    super(`SGLD diverged: chain ${chain}'s minibatch loss was ${value} at step ${step}; try a smaller epsilon (it is ${epsilon}) or a larger gamma`);
    this.name = 'SgldDiverged';
  }
}

const PROGRESS_EVERY = 10;

export async function llcProbe(target: LlcTarget, settings: LlcSettings, hooks: LlcHooks = {}): Promise<ProbeResult> {
  const { checkpoint, dataset, split } = target;
  const examples = dataset[split].n;
  if (examples === 0) throw new Error(`the ${split} split of ${dataset.name} has no examples`);
  const batch = Math.min(settings.batch, examples);
  const nbeta = settings.nbeta ?? defaultNbeta(batch);
  const net = networkOf(checkpoint.model, target.library);
  const initLoss = (await evaluate({ layout: net.layout, modelParams: net.modelParams, weights: checkpoint.weights, dataset, split })).loss;
  const progress = { done: 0, total: settings.chains * (settings.burnin + settings.draws) };
  const traces: number[][] = [];
  for (let c = 0; c < settings.chains; c++) {
    traces.push(await runChain(c, { net, target, settings, batch, nbeta, hooks, progress }));
  }
  const estimates = traces.map((trace) => nbeta * (mean(trace) - initLoss));
  const metrics: Record<string, number> = {
    llc_mean: mean(estimates),
    llc_std: sampleStd(estimates),
  };
  estimates.forEach((value, c) => { metrics[`llc_chain_${c}`] = value; });
  const draws = traces.flat();
  Object.assign(metrics, {
    epsilon: settings.epsilon, gamma: settings.gamma, nbeta,
    init_loss: initLoss,
    loss_below_init: draws.filter((v) => v < initLoss).length / draws.length,
  });
  return { kind: 'probe', metrics, series: { loss_trace: traces } };
}

interface ChainSetup {
  net: Network;
  target: LlcTarget;
  settings: LlcSettings;
  batch: number;
  nbeta: number;
  hooks: LlcHooks;
  progress: { done: number; total: number };
}

/** One chain from w*: the recorded minibatch losses. */
async function runChain(chain: number, setup: ChainSetup): Promise<number[]> {
  const { net, target, settings, batch, nbeta, hooks, progress } = setup;
  const { dataset, split, checkpoint } = target;
  const rng = createRng(settings.seed, `sgld/chain=${chain}`);
  const batches = new MinibatchStream(rng, dataset[split].n, batch);
  const center = uploadParams(net, checkpoint);
  const buffers = uploadBuffers(net, checkpoint);
  const masks = uploadMasks(net, checkpoint.mask);
  const sizes = net.trainable.map((spec) => spec.shape.reduce((a, b) => a * b, 1));
  const noiseScale = Math.sqrt(settings.epsilon);
  const halfStep = settings.epsilon / 2;
  let w = center.map((p) => tf.clone(p));
  const trace: number[] = [];
  try {
    const steps = settings.burnin + settings.draws;
    for (let t = 0; t < steps; t++) {
      if (hooks.signal?.aborted) throw new DOMException('the SGLD chains were aborted', 'AbortError');
      const rows = batches.next();
      const noise = sizes.map((size) => rng.fillNormal(new Float32Array(size)));
      const result = tf.tidy(() => {
        const { x, y } = examplesOf(net, dataset, split, rows);
        const lossOf = (...params: tf.Tensor[]) => loss(dataset.task, outputsOf(net, params, buffers, x), y);
        const { value, grads } = tf.valueAndGrads(lossOf)(w);
        const next = w.map((p, i) => {
          const drift = tf.add(tf.mul(grads[i]!, nbeta), tf.mul(tf.sub(p, center[i]!), settings.gamma));
          const xi = tf.tensor(noise[i]!, p.shape, 'float32');
          const moved = tf.add(tf.sub(p, tf.mul(drift, halfStep)), tf.mul(xi, noiseScale));
          return masks[i] ? tf.mul(moved, masks[i]!) : moved;
        });
        return { value, next };
      });
      disposeTensors(w);
      w = result.next;
      const value = (await result.value.data())[0]!;
      result.value.dispose();
      if (!Number.isFinite(value)) throw new SgldDiverged(chain, t, value, settings.epsilon);
      if (t >= settings.burnin) trace.push(value);
      progress.done += 1;
      if (progress.done % PROGRESS_EVERY === 0 || progress.done === progress.total) hooks.onProgress?.(progress.done, progress.total, value);
    }
    return trace;
  } finally {
    disposeTensors(w);
    disposeTensors(center);
    disposeTensors(buffers);
    disposeTensors(masks);
  }
}

/** Minibatches without replacement within each pass over the split; the whole split when B ≥ n. */
class MinibatchStream {
  private readonly rng: Rng;
  private readonly examples: number;
  private readonly batch: number;
  private order: Int32Array;
  private position: number;

  constructor(rng: Rng, examples: number, batch: number) {
    this.rng = rng;
    this.examples = examples;
    this.batch = batch;
    this.order = batch >= examples ? Int32Array.from({ length: examples }, (_, i) => i) : rng.permutation(examples);
    this.position = 0;
  }

  next(): Int32Array {
    if (this.batch >= this.examples) return this.order;
    if (this.position + this.batch > this.examples) {
      this.order = this.rng.permutation(this.examples);
      this.position = 0;
    }
    const rows = this.order.subarray(this.position, this.position + this.batch);
    this.position += this.batch;
    return rows;
  }
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function sampleStd(values: number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

// ---- stage -------------------------------------------------------------------------------------

/** The llc stage: SGLD chains around input `x`, on the `on` split. */
export const llcStage: StageImplementation = async (stage, inputs, ctx) => {
  const checkpoint = checkpointInput(stage, inputs, 'x');
  const { dataset, split } = await probeData(stage, ctx, [checkpoint]);
  const settings = llcSettings(stage);
  return failing('llc', () => llcProbe({ checkpoint, library: ctx.library, dataset, split }, settings, {
    signal: ctx.signal,
    onProgress: (step, total, loss) => ctx.progress({ step, total, loss }),
  }));
};

/** The SGLD settings, checked: a stage may come from a store written by another version. */
function llcSettings(stage: Stage): LlcSettings {
  const p = stage.params;
  const settings: LlcSettings = {
    epsilon: positive(numberParam(p, 'epsilon'), 'epsilon'),
    gamma: numberParam(p, 'gamma'),
    chains: integerParam(p, 'chains'),
    draws: integerParam(p, 'draws'),
    burnin: integerParam(p, 'burnin'),
    batch: integerParam(p, 'batch'),
    seed: integerParam(p, 'seed'),
  };
  // Absent (or null) means devinterp's default, B / ln B, which depends on the data: llcProbe fills it.
  if (p['nbeta'] !== undefined && p['nbeta'] !== null) settings.nbeta = positive(numberParam(p, 'nbeta'), 'nbeta');
  if (settings.gamma < 0) throw new StageFailure(`parameter 'gamma' must be at least 0, got ${settings.gamma}`);
  for (const key of ['chains', 'draws', 'batch'] as const) {
    if (settings[key] < 1) throw new StageFailure(`parameter '${key}' must be at least 1, got ${settings[key]}`);
  }
  return settings;
}

function positive(value: number, key: string): number {
  if (!(value > 0)) throw new StageFailure(`parameter '${key}' must be positive, got ${value}`);
  return value;
}
