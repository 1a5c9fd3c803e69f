import { initBackend } from '../runtime/backends/select.ts';
import * as tf from '@tensorflow/tfjs-core';
import { conv2d, linear } from '../stdlib/nn/ops.ts';
await initBackend('wasm');
function grads(backend: string, f: (x: tf.Tensor, w: tf.Tensor) => tf.Tensor, xv: tf.Tensor, wv: tf.Tensor) {
  tf.setBackend(backend);
  const x = tf.tensor(xv.dataSync(), xv.shape), w = tf.tensor(wv.dataSync(), wv.shape);
  const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), tf.sin(tf.reshape(tf.range(0, f(a,b).size), f(a,b).shape)))))([x, w]);
  return g.map(t => t.dataSync());
}
function maxRel(a: Float32Array|Int32Array|Uint8Array, b: Float32Array|Int32Array|Uint8Array) {
  let m = 0, s = 0; for (let i = 0; i < a.length; i++) { m = Math.max(m, Math.abs(a[i]! - b[i]!)); s = Math.max(s, Math.abs(b[i]!)); } return m / s;
}
for (const [shape, k, cin, cout, stride, pad] of [
  [[2,7,7], 3, 3, 4, 1, 'same'], [[2,7,7], 3, 3, 4, 2, 'same'], [[2,8,8], 3, 2, 5, 2, 'same'], [[2,8,8], 3, 2, 5, 2, 'valid'],
  [[2,7,6], 3, 3, 4, 1, 'valid'], [[1,9,9], 5, 2, 3, 3, 'same'], [[1,9,10], 2, 2, 3, 2, 'same'], [[1,6,6], 1, 4, 2, 1, 'valid'], [[1,8,8], 4, 2, 2, 2, 'same']] as const) {
  tf.setBackend('cpu');
  const xv = tf.randomNormal([...shape, cin], 0, 1, 'float32', 1), wv = tf.randomNormal([k, k, cin, cout], 0, 1, 'float32', 2);
  for (const [label, f] of [['ops.conv2d', (x: tf.Tensor, w: tf.Tensor) => conv2d(x as tf.Tensor4D, w as tf.Tensor4D, undefined, stride, pad)], ['tf.conv2d', (x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad)]] as const) {
    const a = grads('cpu', f, xv, wv), b = grads('wasm', f, xv, wv);
    console.log(label, JSON.stringify([shape, k, cin, cout, stride, pad]), 'dx', maxRel(b[0]!, a[0]!).toExponential(2), 'dw', maxRel(b[1]!, a[1]!).toExponential(2));
  }
}
