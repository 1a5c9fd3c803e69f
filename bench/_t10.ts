import { initBackend } from '../runtime/backends/select.ts';
import * as tf from '@tensorflow/tfjs-core';
await initBackend('wasm');
const backend = tf.backend() as any;
for (const cin of [3, 64]) {
  const span = 60*34*34 - 70;
  const a = tf.randomNormal([cin, span]) as tf.Tensor2D, b = tf.randomNormal([span, 64]) as tf.Tensor2D;
  for (let r = 0; r < 3; r++) {
    let t0 = performance.now();
    for (let i = 0; i < 9; i++) tf.matMul(a, b).dispose();
    const tm = performance.now() - t0;
    const src = new Float32Array(cin * 60*34*34), dst = new Float32Array(cin * span);
    t0 = performance.now();
    for (let i = 0; i < 9; i++) for (let c = 0; c < cin; c++) dst.set(src.subarray(c*69360 + 5, c*69360+5+span), c*span);
    const tc = performance.now() - t0;
    const xs = new Float32Array(60*32*32*cin);
    t0 = performance.now();
    const plane = 69360; dst.fill(0);
    for (let n = 0; n < 60; n++) for (let i = 0; i < 34; i++) { const y = i - 1; if (y < 0 || y >= 32) continue; for (let j = 0; j < 34; j++) { const x = j - 1; if (x < 0 || x >= 32) continue; const from = ((n*32+y)*32+x)*cin; const to = (n*34+i)*34+j; for (let c = 0; c < cin; c++) dst[c*plane+to] = xs[from+c]!; } }
    const tp = performance.now() - t0;
    console.log(`cin=${cin} 9 matmuls ${tm.toFixed(1)}ms, 9 window copies ${tc.toFixed(1)}ms, phase ${tp.toFixed(1)}ms`);
  }
  const at = tf.transpose(a) as tf.Tensor2D;  // [span, cin]
  const bt = tf.transpose(b) as tf.Tensor2D;  // [64, span]
  let t0 = performance.now();
  for (let i = 0; i < 9; i++) tf.matMul(bt, at).dispose();
  console.log(`  other orientation [64,span]x[span,cin]: ${(performance.now()-t0).toFixed(1)}ms`);
}
