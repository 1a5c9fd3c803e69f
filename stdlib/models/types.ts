// What a model is to the rest of ltx: the layout of its parameters (the compiler checks layer names
// against it, the initializers draw from it) and a forward pass on tensors, which the layout carries so
// that code holding a layout resolved through a Library runs that library's model. Every model module
// and every user of models shares these types; the model files import nothing of each other.
import type * as tf from '@tensorflow/tfjs-core';
import type { OpModule } from '../../core/op.ts';
import type { Task } from '../nn/losses.ts';

/**
 * weight: a dense or conv kernel; bias: its additive term; norm_scale/norm_shift: the affine part of a
 * batch or layer norm; embedding/position: token and position tables; buffer: state that is not
 * trained by gradient (batch-norm running statistics).
 */
export type ParamRole = 'weight' | 'bias' | 'norm_scale' | 'norm_shift' | 'embedding' | 'position' | 'buffer';

export interface ParamSpec {
  /** Unique within the model, e.g. 'layer1.weight', 'stage2.block1.bn1.mean'. */
  name: string;
  /** The layer it belongs to, e.g. 'layer1', 'block2.attn.query': what `skip`/`rates` address. */
  layer: string;
  role: ParamRole;
  /** Dense kernels are [in, out]; conv kernels are HWIO [kh, kw, c_in, c_out]. */
  shape: number[];
  /** True exactly for dense and conv kernels (including attention and MLP matrices). */
  prunable: boolean;
  /** Conv fans count the receptive field: fanIn = kh·kw·c_in, fanOut = kh·kw·c_out (as PyTorch). */
  fanIn: number;
  fanOut: number;
}

export interface ModelLayout {
  op: string;
  /** In the order of the forward pass. */
  params: ParamSpec[];
  /** One example's shape: [features] for mlp, [h, w, c] for images, [context] tokens for transformer. */
  inputShape: number[];
  /** Classes (or regression targets) per example; vocabulary size per position for the transformer. */
  outputs: number;
  /** Reads token ids (inputDtype int32) rather than numbers. */
  tokens: boolean;
  /** Layers that hold a prunable kernel, in forward order. */
  prunableLayers: string[];
  /** The names of ForwardResult.hidden, in forward order; empty for a model that exposes none. */
  hiddenLayers: string[];
  /** Elements of all parameters (weights and buffers): what the model costs in memory. */
  weights: number;
  /** The dtype the forward expects its input in: token ids, or floats. */
  inputDtype: ModelImplementation['inputDtype'];
  /** The model's forward pass; run it through models/forward.ts, which checks the weights against the layout first. */
  forward: ModelImplementation['forward'];
  /** Its forward pass for replicates, where the model has one (ModelImplementation.stackedForward). */
  stackedForward?: ModelImplementation['stackedForward'];
  /** Its tape-free loss and gradients (ModelImplementation.lossAndGradients); run it through models/forward.ts. */
  lossAndGradients?: ModelImplementation['lossAndGradients'];
}

/** What each model contributes to its layout; the rest (its name, its prunable layers) follows. */
export interface LayoutBody {
  params: ParamSpec[];
  inputShape: number[];
  outputs: number;
}

/** A model call's parameters as the compiler passes them: checked against the schema, defaults filled. */
export type ModelParams = Record<string, unknown>;

/** Tensors by parameter name. */
export type Weights = Record<string, tf.Tensor>;

export interface ForwardResult {
  /** Logits [n, classes], or [n, t, vocab] for the transformer. */
  output: tf.Tensor;
  /** Batch-norm running statistics updated by this batch (training mode, models with batch norm). */
  buffers?: Record<string, tf.Tensor>;
  /**
   * With `hidden`, from the models that expose them: each hidden layer's units as [rows, units], in
   * forward order, named after the layer (what the representation probes compare).
   */
  hidden?: Record<string, tf.Tensor2D>;
}

export interface ForwardOptions {
  /** Batch norm uses batch statistics (and updates the running ones) when training. */
  training: boolean;
  /** Also return the hidden layers' units (ForwardResult.hidden); training never asks for them. */
  hidden?: boolean;
}

/** A training step's loss and the gradient of every trained parameter, by name. */
export interface LossAndGradients {
  loss: tf.Scalar;
  gradients: Record<string, tf.Tensor>;
}

/** A model op's network. */
export interface ModelImplementation {
  /** Throws ModelError with a message for the user when the parameters describe an impossible network. */
  layout(params: ModelParams): ModelLayout;
  /**
   * Functional: weights passed in by parameter name; the caller owns the returned tensors. Only once
   * `load()` has resolved: the forward pass is a module of its own, imported on first use.
   */
  forward(params: ModelParams, weights: Weights, x: tf.Tensor, opts: ForwardOptions): ForwardResult;
  /**
   * The training forward of R replicates at once: every weight stacked [R, ...shape], inputs
   * [R, n, ...], outputs [R, n, ...]; member r's output has the bits of forward() on its own weights
   * and inputs. Absent: replicates run the forward one by one. Only on backends with stacked layers.
   */
  stackedForward?(params: ModelParams, weights: Weights, x: tf.Tensor): tf.Tensor;
  /**
   * The loss of a training batch and every trained parameter's gradient, computed without the engine's
   * tape where the model and the backend allow (undefined otherwise: the trainer then differentiates
   * forward() with the tape). The same bits as tf.valueAndGrads over forward() and the task's loss.
   * Optional: a model without it is always taped.
   */
  lossAndGradients?(params: ModelParams, weights: Weights, x: tf.Tensor, y: tf.Tensor, task: Task): LossAndGradients | undefined;
  /** The dtype the forward expects its input in: token ids, or floats. */
  inputDtype: 'float32' | 'int32';
  /** Imports the forward pass (TensorFlow.js with it); resolves at once after the first time. */
  load(): Promise<void>;
}

/** One model op: its signature, the shape the compiler checks layer names against, and its network. */
export interface ModelModule extends OpModule {
  lowering: { rule: 'model'; shape(params: ModelParams): ModelLayout };
  model: ModelImplementation;
}
