import { initBackend } from '../runtime/backends/select.ts';
import * as tf from '@tensorflow/tfjs-core';
await initBackend('wasm');
function time(label: string, f: () => tf.Tensor, reps = 5) {
  tf.tidy(() => f()).dataSync();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) { const t0 = performance.now(); tf.tidy(() => { const r = f(); r.dataSync(); }); ts.push(performance.now() - t0); }
  ts.sort((a,b)=>a-b); const m = ts[reps>>1]!;
  console.log(label.padEnd(50), m.toFixed(1), 'ms');
}
const x = tf.randomNormal([60, 32, 32, 64]) as tf.Tensor4D;
const xt = tf.transpose(x, [3,0,1,2]);
const xp = tf.pad(xt, [[0,0],[0,0],[1,1],[1,1]]);
time('transpose', () => tf.transpose(x, [3,0,1,2]));
time('pad', () => tf.pad(xt, [[0,0],[0,0],[1,1],[1,1]]));
time('slice', () => tf.slice(xp, [0,0,1,1], [64,60,32,32]));
time('stridedSlice s1', () => tf.stridedSlice(xp, [0,0,1,1], [64,60,33,33], [1,1,1,1]));
time('stridedSlice s2', () => tf.stridedSlice(xp, [0,0,1,1], [64,60,33,33], [1,1,2,2]));
const a = tf.randomNormal([64, 61440]) as tf.Tensor2D, b = tf.randomNormal([61440, 64]) as tf.Tensor2D;
time('matmul', () => tf.matMul(a, b));
const a2 = tf.randomNormal([64, 15360]) as tf.Tensor2D, b2 = tf.randomNormal([15360, 64]) as tf.Tensor2D;
time('matmul s2', () => tf.matMul(a2, b2));
