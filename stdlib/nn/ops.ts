// Layer primitives shared by every model. Models call these rather than tf.matMul / tf.conv2d
// directly so that backend-specific fast gradients (kernels/) apply to all of them.
//
// Dense and conv layers run as kernels of their own ('LtxLinear', 'LtxConv2D') that forward to the
// backend's BatchMatMul / Conv2D, so that they can carry their own gradients:
//  - on wasm every product is a plain matMul/conv of explicitly transposed operands (its matMul
//    with transpose flags and its Conv2DBackpropInput are ~8× slower), multiplied the way round
//    that repacks the smaller operand (kernels/matmul-orientation.ts);
//  - each input's gradient is computed only if something needs it (the engine asks per input),
//    so the first layer never computes a gradient for the data. tf.customGrad computes all
//    gradients eagerly, which would cost the MLP ~30% more work per step;
//  - on wasm the bias is added inside the layer's kernel (kernels/layer-kernels.ts): a
//    separate add op and its gradient cost small nets noticeable engine overhead there.
// Gradients need tfjs's gradient registry loaded, which gradients.ts does.
import * as tf from '@tensorflow/tfjs-core';
import './gradients.ts';
import { wasmConv2dForward, wasmLinearForward } from './kernels/layer-kernels.ts';
import { forwardOrientation, product } from './kernels/matmul-orientation.ts';
import {
  SPARSE_LINEAR,
  SPARSE_LINEAR_INPUT_GRAD,
  SPARSE_LINEAR_WEIGHT_GRAD,
  sparseLinearKernels,
  patternOf,
  type SparseLinearAttrs,
  type SparsePattern,
} from './kernels/sparse-linear.ts';
import { runsSparse } from './sparse-rule.ts';
import { CONV_INPUT_GRAD_COLUMNS, convInputGradientKernel, runsInputGradientByColumns, type ColumnsAttrs } from './kernels/conv-columns.ts';
import {
  runsWinograd,
  WINOGRAD_CONV,
  WINOGRAD_CONV_FILTER_GRAD,
  WINOGRAD_CONV_INPUT_GRAD,
  winogradAttrs,
  winogradKernels,
} from './kernels/winograd-conv.ts';

export type { SparsePattern } from './kernels/sparse-linear.ts';
export { runsSparse, SPARSE_MAX_DENSITY } from './sparse-rule.ts';

const LINEAR = 'LtxLinear';
const CONV2D = 'LtxConv2D';

type Padding = 'same' | 'valid';
/** Per input, a thunk the engine calls only if it needs that input's gradient. */
type GradientMap = ReturnType<tf.GradFunc>;

/** y = x W + b, with x: [n, in], W: [in, out], b: [out] (optional). */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  const pattern = sparsePatterns.get(w);
  if (pattern !== undefined && sparseKernelsAvailable()) {
    const attrs: SparseLinearAttrs = { pattern, compact: w.rank === 1 };
    return tf.engine().runKernel(SPARSE_LINEAR, b ? { x, w, b } : { x, w }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D;
  }
  if (w.rank !== 2) throw new Error(`linear needs a [in, out] weight matrix, got shape [${w.shape.join(', ')}]`);
  const fuseBias = kernelsFor(tf.getBackend()).fusedBias && b !== undefined;
  const inputs: tf.NamedTensorMap = fuseBias ? { x, w, b } : { x, w };
  const y = tf.engine().runKernel(LINEAR, inputs, { orientation: forwardOrientation(x, w) }) as tf.Tensor2D;
  return b && !fuseBias ? tf.add(y, b) : y;
}

/** NHWC convolution with an HWIO kernel; `pad` is 'same' or 'valid'. */
export function conv2d(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  b: tf.Tensor1D | undefined,
  stride: number,
  pad: Padding,
): tf.Tensor4D {
  const kernels = kernelsFor(tf.getBackend());
  const fuseBias = kernels.fusedBias && b !== undefined;
  const inputs: tf.NamedTensorMap = fuseBias ? { x, w, b } : { x, w };
  if (kernels.winograd && runsWinograd(x.shape, w.shape, stride)) {
    const attrs = winogradAttrs(x.shape, w.shape, pad);
    return tf.engine().runKernel(WINOGRAD_CONV, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  }
  const y = tf.engine().runKernel(CONV2D, inputs, { stride, pad }) as tf.Tensor4D;
  return b && !fuseBias ? tf.add(y, b) : y;
}

/** Max pooling over size×size windows of NHWC images. */
export function maxPool2d(x: tf.Tensor4D, size: number, stride: number, pad: Padding = 'valid'): tf.Tensor4D {
  return tf.maxPool(x, size, stride, pad);
}

/**
 * Rows of `table` [rows, width] picked by int32 `ids` of any shape: result [...ids.shape, width].
 * Its gradient is a segment sum into the table (registered for wasm by runtime/backends).
 */
export function embedding(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor {
  const intIds = ids.dtype === 'int32' ? ids : tf.cast(ids, 'int32');
  return tf.gather(table, intIds, 0);
}

// ---- sparse weights ----------------------------------------------------------------------------

/** The sparse pattern of a dense layer's [in, out] keep-mask, if the mask is sparse enough. */
export function sparsePatternOf(keep: ArrayLike<number>, shape: readonly number[]): SparsePattern | undefined {
  return runsSparse(keep, shape) ? patternOf(keep, shape[0]!, shape[1]!) : undefined;
}

const sparsePatterns = new WeakMap<tf.Tensor, SparsePattern>();

/**
 * Declares that `w` is zero outside `pattern` (its mask): linear() then computes over the pattern's
 * nonzeros, forward and both gradients, where the backend has sparse kernels (wasm). `w` is either
 * the [in, out] matrix or compact: its nonzeros alone, [nnz] in row-major order (training/compact-weights.ts), for
 * which linear() needs the sparse kernels and gives a compact weight gradient.
 */
export function markSparse(w: tf.Tensor, pattern: SparsePattern): void {
  sparsePatterns.set(w, pattern);
}

/** The pattern `w` was marked with (markSparse), if any. */
export function sparsePatternOfWeight(w: tf.Tensor): SparsePattern | undefined {
  return sparsePatterns.get(w);
}

/** The shape `w` stands for: [in, out] for compact weights, its own shape otherwise. */
export function denseShape(w: tf.Tensor): readonly number[] {
  const pattern = sparsePatterns.get(w);
  return pattern !== undefined && w.rank === 1 ? [pattern.inputs, pattern.outputs] : w.shape;
}

/** The row-major element index of each nonzero of `pattern` in its dense [inputs, outputs] matrix. */
export function nonzeroIndices(pattern: SparsePattern): Int32Array {
  return pattern.rows.map((row, k) => row * pattern.outputs + pattern.cols[k]!);
}

let sparseRegistered = false;

/** Whether linear() computes marked weights with sparse kernels on the current backend. */
export function sparseKernelsAvailable(): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  if (!sparseRegistered) {
    for (const kernel of sparseLinearKernels) tf.registerKernel(kernel);
    sparseRegistered = true;
  }
  return true;
}

// ---- gradients ---------------------------------------------------------------------------------

function linearGradient(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): GradientMap {
  const [x, w] = saved as [tf.Tensor2D, tf.Tensor2D];
  const g = dy as tf.Tensor2D;
  return {
    x: () => product(g, false, w, true),
    w: () => product(x, true, g, false),
    // Only asked for when the bias was fused into the kernel.
    b: () => tf.sum(g, 0),
  };
}

function sparseLinearGradient(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap): GradientMap {
  const [x, w] = saved as [tf.Tensor2D, tf.Tensor2D];
  const g = dy as tf.Tensor2D;
  return {
    x: () => tf.engine().runKernel(SPARSE_LINEAR_INPUT_GRAD, { dy: g, w }, attrs) as tf.Tensor2D,
    w: () => tf.engine().runKernel(SPARSE_LINEAR_WEIGHT_GRAD, { x, dy: g }, attrs) as tf.Tensor2D,
    b: () => tf.sum(g, 0),
  };
}

function conv2dGradient(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap): GradientMap {
  const [x, w] = saved as [tf.Tensor4D, tf.Tensor4D];
  const g = dy as tf.Tensor4D;
  const stride = attrs['stride'] as number;
  const pad = attrs['pad'] as Padding;
  return {
    x: () => conv2dInputGradient(g, w, x.shape, stride, pad),
    // The backend's Conv2DBackpropFilter; on wasm that is runtime/backends' per-tap matMul kernel.
    w: () =>
      tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: g }, {
        strides: stride,
        pad,
        dataFormat: 'NHWC',
        filterShape: w.shape,
      }) as tf.Tensor4D,
    b: () => tf.sum(g, [0, 1, 2]),
  };
}

/** The Winograd conv's gradients: the adjoints of its forward computation (kernels/winograd-conv.ts). */
function winogradGradient(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap): GradientMap {
  const [x, w] = saved as [tf.Tensor4D, tf.Tensor4D];
  const g = dy as tf.Tensor4D;
  const [, inHeight, inWidth] = x.shape;
  return {
    x: () => tf.engine().runKernel(WINOGRAD_CONV_INPUT_GRAD, { dy: g, w }, { ...attrs, inHeight, inWidth }) as tf.Tensor4D,
    w: () => tf.engine().runKernel(WINOGRAD_CONV_FILTER_GRAD, { x, dy: g }, attrs) as tf.Tensor4D,
    b: () => tf.sum(g, [0, 1, 2]),
  };
}

/**
 * dL/dx of a conv: a stride-1 convolution of dy (with stride−1 zeros inserted between its pixels)
 * by the kernel rotated 180° with in/out channels swapped. At stride 1 this is the same work as the
 * forward conv on every backend. At stride > 1 the inserted zeros multiply the work by stride²,
 * which still beats the wasm backend's slow Conv2DBackpropInput but not other backends' kernels.
 */
function conv2dInputGradient(
  dy: tf.Tensor4D,
  w: tf.Tensor4D,
  xShape: [number, number, number, number],
  stride: number,
  pad: Padding,
): tf.Tensor4D {
  if (stride !== 1 && tf.getBackend() !== 'wasm') return tf.conv2dTranspose(dy, w, xShape, stride, pad);
  const info = tf.backend_util.computeConv2DInfo(xShape, w.shape, stride, 1, pad);
  const [, inHeight, inWidth] = xShape;
  if (kernelsFor(tf.getBackend()).inputGradientByColumns && runsInputGradientByColumns(w.shape, stride)) {
    const attrs: ColumnsAttrs = { padTop: info.padInfo.top, padLeft: info.padInfo.left, inHeight, inWidth };
    return tf.engine().runKernel(CONV_INPUT_GRAD_COLUMNS, { dy, w }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  }
  const [kh, kw] = w.shape;
  const spanH = (info.outHeight - 1) * stride + 1;
  const spanW = (info.outWidth - 1) * stride + 1;
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  const bottom = inHeight + info.padInfo.top - spanH;
  const right = inWidth + info.padInfo.left - spanW;
  if (top < 0 || left < 0 || bottom < 0 || right < 0) return tf.conv2dTranspose(dy, w, xShape, stride, pad);

  const rotated = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]);
  const spread = stride === 1 ? dy : insertZeros(dy, stride, spanH, spanW);
  return tf.conv2d(spread, rotated, 1, [[0, 0], [top, bottom], [left, right], [0, 0]]);
}

/** [n, h, w, c] → [n, spanH, spanW, c] with dy[i, j] at (i·stride, j·stride) and zeros between. */
function insertZeros(dy: tf.Tensor4D, stride: number, spanH: number, spanW: number): tf.Tensor4D {
  const [n, h, w, c] = dy.shape;
  const apart = tf.pad(tf.reshape(dy, [n * h, 1, w, 1, c]), [[0, 0], [0, stride - 1], [0, 0], [0, stride - 1], [0, 0]]);
  const grid = tf.reshape(apart, [n, h * stride, w * stride, c]);
  return tf.slice(grid, [0, 0, 0, 0], [n, spanH, spanW, c]) as tf.Tensor4D;
}

// ---- kernel registration -----------------------------------------------------------------------

tf.registerGradient({ kernelName: LINEAR, inputsToSave: ['x', 'w'], gradFunc: linearGradient });
tf.registerGradient({ kernelName: SPARSE_LINEAR, inputsToSave: ['x', 'w'], gradFunc: sparseLinearGradient });
tf.registerGradient({ kernelName: CONV2D, inputsToSave: ['x', 'w'], gradFunc: conv2dGradient });
tf.registerGradient({ kernelName: WINOGRAD_CONV, inputsToSave: ['x', 'w'], gradFunc: winogradGradient });

interface LayerKernels {
  /** Whether the forward kernels take the bias as an input. */
  fusedBias: boolean;
  /** Whether 3×3 stride-1 convs compute by Winograd's F(4×4, 3×3) (kernels/winograd-conv.ts). */
  winograd: boolean;
  /** Whether short-patch stride-1 convs get dx through a column matrix (kernels/conv-columns.ts). */
  inputGradientByColumns: boolean;
}

const kernelsRegisteredFor = new Map<string, LayerKernels>();

/**
 * Registers the forward kernels for `backendName` on first use. wasm gets its own (bias fused,
 * products oriented); other backends forward to their BatchMatMul and Conv2D.
 */
function kernelsFor(backendName: string): LayerKernels {
  const known = kernelsRegisteredFor.get(backendName);
  if (known !== undefined) return known;
  const wasm = backendName === 'wasm';
  tf.registerKernel({
    kernelName: LINEAR,
    backendName,
    kernelFunc: wasm
      ? wasmLinearForward
      : ({ inputs, backend }) =>
          backendKernel(tf.BatchMatMul, backendName)({
            inputs: { a: inputs['x'], b: inputs['w'] },
            backend,
            attrs: { transposeA: false, transposeB: false },
          }),
  });
  tf.registerKernel({
    kernelName: CONV2D,
    backendName,
    kernelFunc: wasm
      ? wasmConv2dForward
      : ({ inputs, backend, attrs }) =>
          backendKernel(tf.Conv2D, backendName)({
            inputs: { x: inputs['x'], filter: inputs['w'] },
            backend,
            attrs: { strides: attrs!['stride']!, pad: attrs!['pad']!, dataFormat: 'NHWC', dilations: 1 },
          }),
  });
  if (wasm) for (const kernel of [...winogradKernels, convInputGradientKernel]) tf.registerKernel(kernel);
  const kernels = { fusedBias: wasm, winograd: wasm, inputGradientByColumns: wasm };
  kernelsRegisteredFor.set(backendName, kernels);
  return kernels;
}

function backendKernel(kernelName: string, backendName: string): tf.KernelFunc {
  const kernel = tf.getKernel(kernelName, backendName);
  if (kernel === undefined) throw new Error(`backend '${backendName}' has no ${kernelName} kernel`);
  return kernel.kernelFunc;
}
