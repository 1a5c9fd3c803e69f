// The one place that loads TensorFlow.js for ltx. Everything else imports '@tensorflow/tfjs-core'
// for ops; this module makes them differentiable and provides the pure-JS and wasm backends.
//
// Gradients: the Node build of tfjs-core registers no gradient functions (its ES-module tree has
// them, but with extension-less imports Node cannot load), and only the bundle of the
// '@tensorflow/tfjs' union package carries them. Loading it (~150 ms once) registers every
// gradient and the chained tensor methods (x.reshape(...)) in tfjs's process-global registries,
// which tfjs-core's functions share. Its webgl backend stays unregistered in Node.
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
