// The gradients every model needs, whoever chose the backend. tfjs-core's Node build registers no
// gradient functions; only the bundle of the '@tensorflow/tfjs' union package does (~150 ms once, into
// tfjs's process-global registry, which tfjs-core's functions share). Loading it first, then replacing
// tf.matMul's gradient with the wasm-aware one, keeps that replacement in place: the bundle, loaded
// once per thread, never registers its own again. ReLU's gradient is replaced the same way.
import '@tensorflow/tfjs';
import { registerMatMulGradient } from './kernels/matmul-gradient.ts';
import { registerReluGradient } from './kernels/relu-gradient.ts';

registerMatMulGradient();
registerReluGradient();
