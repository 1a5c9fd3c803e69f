import { initBackend, describeChoice } from './runtime/backends/select.ts';
import * as tf from '@tensorflow/tfjs-core';
console.log(describeChoice(await initBackend('auto')));
console.log(describeChoice(await initBackend('webgpu')));
console.log(tf.getBackend(), await tf.matMul(tf.ones([2,2]), tf.ones([2,2])).data());
