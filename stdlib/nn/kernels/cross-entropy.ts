// The mean softmax cross-entropy of logits [n, classes] and int32 labels [n], and its gradient, as two
// kernels on the wasm and cpu backends. Each runs, in order, the backend's own kernels that tfjs's ops
// run for −mean(Σ logSoftmax(logits) ⊙ oneHot(labels)) and for that expression's gradient (tfjs's
// gradient functions of Neg, Mean, Sum, Multiply and logSoftmax), so the loss and the gradient are
// the same bits as the ops'; what goes is the engine's work around each of those ~36 small kernels
// (tracking, the tape, the copies of saved tensors): about 0.15 ms of a LeNet-300-100 step on wasm.
// The loss kernel also outputs the log-probabilities and the one-hot labels it made, which the
// gradient reads, as tfjs's gradients read the ops' saved values (nothing is computed twice).
import * as tf from '@tensorflow/tfjs-core';

export const CROSS_ENTROPY = 'LtxCrossEntropy';
export const CROSS_ENTROPY_GRAD = 'LtxCrossEntropyGrad';

/** The backends whose kernels the two kernels call (every one of those kernels exists there). */
const BACKENDS = ['wasm', 'cpu'];

/** Backend kernels called on TensorInfos; everything made is released at the end but the result. */
class KernelRun {
  private readonly backend: tf.KernelBackend;
  private readonly backendName: string;
  private readonly made: tf.TensorInfo[] = [];

  constructor(backend: tf.KernelBackend, backendName: string) {
    this.backend = backend;
    this.backendName = backendName;
  }

  call(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: object = {}): tf.TensorInfo {
    const kernel = tf.getKernel(kernelName, this.backendName);
    if (kernel === undefined) throw new Error(`backend '${this.backendName}' has no ${kernelName} kernel`);
    const out = kernel.kernelFunc({ inputs, backend: this.backend, attrs: attrs as tf.NamedAttrMap });
    if (Array.isArray(out)) throw new Error(`${kernelName} returned several outputs`);
    this.made.push(out);
    return out;
  }

  /** A float32 tensor of ones, as tf.ones makes for the gradients of Mean and Sum. */
  ones(shape: number[]): tf.TensorInfo {
    const values = new Float32Array(tf.util.sizeFromShape(shape)).fill(1);
    const info = { dataId: this.backend.write(values, shape, 'float32'), shape, dtype: 'float32' as const };
    this.made.push(info);
    return info;
  }

  scalar(value: number): tf.TensorInfo {
    const info = { dataId: this.backend.write(Float32Array.of(value), [], 'float32'), shape: [], dtype: 'float32' as const };
    this.made.push(info);
    return info;
  }

  releaseAllBut<R extends tf.TensorInfo | tf.TensorInfo[]>(results: R): R {
    const kept = new Set(Array.isArray(results) ? results : [results]);
    for (const info of this.made) if (!kept.has(info)) this.backend.disposeData(info.dataId);
    return results;
  }
}

/** logSoftmax(logits) as tfjs computes it, and the labels one-hot as float32 (tf.mul's type match). */
function logProbsAndTargets(run: KernelRun, logits: tf.TensorInfo, labels: tf.TensorInfo): { logProbs: tf.TensorInfo; oneHot: tf.TensorInfo } {
  const xMax = run.call(tf.Max, { x: logits }, { reductionIndices: 1, keepDims: true });
  const shifted = run.call(tf.Sub, { a: logits, b: xMax });
  const sumExp = run.call(tf.Sum, { x: run.call(tf.Exp, { x: shifted }) }, { axis: 1, keepDims: true });
  const logProbs = run.call(tf.Sub, { a: run.call(tf.Cast, { x: shifted }, { dtype: 'float32' }), b: run.call(tf.Log, { x: sumExp }) });
  const classes = logits.shape[1]!;
  const hot = run.call(tf.OneHot, { indices: labels }, { dtype: 'int32', depth: classes, onValue: 1, offValue: 0 });
  return { logProbs, oneHot: run.call(tf.Cast, { x: hot }, { dtype: 'float32' }) };
}

/** [loss, logProbs, oneHot]: the loss, and what its gradient reads. */
function crossEntropyKernel({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: {} }, backendName: string): tf.TensorInfo[] {
  const run = new KernelRun(backend as tf.KernelBackend, backendName);
  const { logProbs, oneHot } = logProbsAndTargets(run, inputs['logits']!, inputs['labels']!);
  const picked = run.call(tf.Sum, { x: run.call(tf.Multiply, { a: logProbs, b: oneHot }) }, { axis: 1, keepDims: false });
  const mean = run.call(tf.Mean, { x: picked }, { axis: null, keepDims: false });
  return run.releaseAllBut([run.call(tf.Neg, { x: mean }), logProbs, oneHot]);
}

/** d loss / d logits for the loss's gradient dy, step by step as tfjs's gradient functions compute it. */
function crossEntropyGradKernel({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: {} }, backendName: string): tf.TensorInfo {
  const run = new KernelRun(backend as tf.KernelBackend, backendName);
  const logProbs = inputs['logProbs']!;
  const oneHot = inputs['oneHot']!;
  const [n, classes] = logProbs.shape as [number, number];
  // Neg, then Mean over the n rows: reshape, times ones, divided by n.
  const dMeanInput = run.call(tf.Reshape, { x: run.call(tf.Neg, { x: inputs['dy']! }) }, { shape: [1] });
  const dPicked = run.call(tf.RealDiv, { a: run.call(tf.Multiply, { a: dMeanInput, b: run.ones([n]) }), b: run.scalar(n) });
  // Sum over the classes: reshape, times ones; then the product's gradient: times the one-hot.
  const dProduct = run.call(tf.Multiply, { a: run.call(tf.Reshape, { x: dPicked }, { shape: [n, 1] }), b: run.ones([n, classes]) });
  // tfjs's Multiply gradient casts the one-hot to float32 first; it is float32 already, so the copy goes.
  const dLogProbs = run.call(tf.Multiply, { a: dProduct, b: oneHot });
  // logSoftmax's own gradient: dy − Σ dy · exp(logSoftmax).
  const softmax = run.call(tf.Exp, { x: logProbs });
  const summed = run.call(tf.Sum, { x: dLogProbs }, { axis: 1, keepDims: true });
  return run.releaseAllBut(run.call(tf.Sub, { a: dLogProbs, b: run.call(tf.Multiply, { a: summed, b: softmax }) }));
}

tf.registerGradient({
  kernelName: CROSS_ENTROPY,
  outputsToSave: [false, true, true],
  gradFunc: (dy, saved) => {
    const [logProbs, oneHot] = saved as [tf.Tensor2D, tf.Tensor2D];
    const dLoss = (Array.isArray(dy) ? dy[0] : dy) as tf.Tensor;
    return { logits: () => tf.engine().runKernel(CROSS_ENTROPY_GRAD, { dy: dLoss, logProbs, oneHot }) as tf.Tensor2D };
  },
});

const registered = new Set<string>();

/** Whether `backendName` has the two kernels (registered on first use). */
export function crossEntropyKernelOn(backendName: string): boolean {
  if (!BACKENDS.includes(backendName)) return false;
  if (!registered.has(backendName)) {
    tf.registerKernel({ kernelName: CROSS_ENTROPY, backendName, kernelFunc: (args) => crossEntropyKernel(args, backendName) });
    tf.registerKernel({ kernelName: CROSS_ENTROPY_GRAD, backendName, kernelFunc: (args) => crossEntropyGradKernel(args, backendName) });
    registered.add(backendName);
  }
  return true;
}
