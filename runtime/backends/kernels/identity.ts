// Identity for the wasm backend that shares its input's data instead of copying it.
//
// The engine clones every tensor a gradient will need (saveTensorsForBackwardMode → Identity), and
// tfjs 4.22's wasm Identity allocates and memcpys each one: 17 copies per LeNet-300-100 training
// step, weights included. Tensor data is immutable in tfjs (variables swap their data on assign,
// kernels always write fresh outputs), which is why the cpu and webgl backends' Identity share the
// data through a reference count; this does the same on wasm.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

function identityWasm(args: { inputs: tf.NamedTensorInfoMap; backend: {} }): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x } = args.inputs;
  if (x === undefined) throw new Error('Identity needs x');
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityKernel: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: identityWasm,
};
