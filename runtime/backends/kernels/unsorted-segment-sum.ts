// UnsortedSegmentSum for the wasm backend, which ships none (tfjs 4.22). It is the gradient of
// `gather` (embedding lookups): row i of x is added into output row segmentIds[i]. Ids outside
// [0, numSegments) are dropped, as TensorFlow does for negative ids.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapView } from '../../../core/wasm-kernel-calls.ts';

function unsortedSegmentSumWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: {};
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x, segmentIds } = args.inputs;
  const { numSegments } = args.attrs as unknown as tf.UnsortedSegmentSumAttrs;
  if (x === undefined || segmentIds === undefined) throw new Error('UnsortedSegmentSum needs x and segmentIds');
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum on wasm supports float32 and int32, got ${x.dtype}`);
  }
  const rows = tf.util.sizeFromShape(segmentIds.shape);
  const rowSize = rows === 0 ? 0 : tf.util.sizeFromShape(x.shape) / rows;
  if (!Number.isInteger(rowSize)) {
    throw new Error(`segmentIds shape ${segmentIds.shape} is not a prefix of x shape ${x.shape}`);
  }
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];

  const out = backend.makeOutput(outShape, x.dtype);
  const xs = heapView(backend, x);
  const ids = heapView(backend, segmentIds);
  const sums = heapView(backend, out);
  sums.fill(0);
  for (let row = 0; row < rows; row++) {
    const segment = ids[row]!;
    if (segment < 0 || segment >= numSegments) continue;
    const from = row * rowSize;
    const to = segment * rowSize;
    for (let k = 0; k < rowSize; k++) sums[to + k] = sums[to + k]! + xs[from + k]!;
  }
  return out;
}

export const unsortedSegmentSumKernel: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSumWasm,
};
