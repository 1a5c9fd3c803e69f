import { initBackend } from '../runtime/backends/select.ts';
import * as tf from '@tensorflow/tfjs-core';
await initBackend('wasm');
function time(label: string, flops: number, f: () => tf.Tensor, reps = 5) {
  tf.tidy(() => f()).dataSync();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) { const t0 = performance.now(); tf.tidy(() => { const r = f(); r.dataSync(); }); ts.push(performance.now() - t0); }
  ts.sort((a,b)=>a-b); const m = ts[reps>>1]!;
  console.log(label.padEnd(50), m.toFixed(1), 'ms', (flops/m/1e6).toFixed(2), 'GFLOP/s');
}
for (const [cin, s] of [[64, 1], [3, 1], [64, 2]] as const) {
  const x = tf.randomNormal([60, 32, 32, cin]) as tf.Tensor4D;
  const ho = 32 / s;
  const dy = tf.randomNormal([60, ho, ho, 64]) as tf.Tensor4D;
  const fl = 2*60*ho*ho*9*cin*64;
  time(`dW cin=${cin} s=${s}`, fl, () => tf.engine().runKernel('Conv2DBackpropFilter', {x, dy}, {strides: s, pad: 'same', dataFormat: 'NHWC', filterShape: [3,3,cin,64]}) as tf.Tensor);
  const w = tf.randomNormal([3,3,cin,64]) as tf.Tensor4D;
  time(`  dx wasm Conv2DBackpropInput`, fl, () => tf.conv2dTranspose(dy, w, [60,32,32,cin], s, 'same'));
}
const x = tf.randomNormal([60, 32, 32, 64]) as tf.Tensor4D;
const y = tf.maxPool(x, 2, 2, 'valid');
time('maxPoolGrad 60x32x32x64', 0, () => tf.engine().runKernel('MaxPoolGrad', {dy: y, input: x, output: y}, {filterSize: 2, strides: 2, pad: 'valid'}) as tf.Tensor);
const ids = tf.randomUniform([4096], 0, 1000, 'int32');
const rows = tf.randomNormal([4096, 128]);
time('unsortedSegmentSum 4096x128 -> 1000', 0, () => tf.unsortedSegmentSum(rows, ids, 1000));
