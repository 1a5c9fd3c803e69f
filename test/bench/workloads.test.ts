// The training workloads bench/train-speed.ts times against PyTorch: each conv workload is the network ltx's
// model of that name trains (same parameter shapes, same logits from the same weights), and a step trains.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { BATCH, conv4, conv6, convNet, lenet5, type Workload } from '../../bench/workloads.ts';
import { forward } from '../../stdlib/models/forward.ts';
import { useBackend } from '../backends/helpers.ts';
import { layoutOf, modelParams } from '../models/helpers.ts';

/** A few examples keep a Conv-6 step to a fraction of a second on wasm. */
const TINY_BATCH = 2;

const MODEL_OF: [Workload, string][] = [
  [convNet, 'conv2'],
  [conv4, 'conv4'],
  [conv6, 'conv6'],
  [lenet5, 'lenet5'],
];

for (const [workload, model] of MODEL_OF) {
  test(`${workload.name} has the parameters of ltx's ${model} model and computes its logits`, async () => {
    await useBackend('wasm');
    const layout = layoutOf(model, {});
    const built = workload.build(TINY_BATCH);
    try {
      assert.deepEqual(
        built.weights.map((w) => w.shape),
        layout.params.map((p) => p.shape),
      );
      const weights = Object.fromEntries(layout.params.map((p, i) => [p.name, built.weights[i]!]));
      const [ours, theirs] = tf.tidy(() => [
        built.logits().dataSync(),
        forward(layout, modelParams(model, {}), weights, built.x, { training: true }).output.dataSync(),
      ]);
      assert.equal(ours!.length, TINY_BATCH * 10);
      assert.deepEqual(ours, theirs);
    } finally {
      built.dispose();
    }
  });

  test(`one SGD step of ${workload.name} on wasm changes its loss, which stays finite`, async () => {
    await useBackend('wasm');
    const built = workload.build(TINY_BATCH);
    try {
      const before = built.loss();
      built.step();
      const after = built.loss();
      assert.ok(Number.isFinite(before) && Number.isFinite(after), `loss ${before} → ${after}`);
      assert.notEqual(after, before);
    } finally {
      built.dispose();
    }
  });
}

test("a conv workload's FLOPs per step: forward, weight gradients, and input gradients of all layers but the first", () => {
  const conv = (pixels: number, k: number, cIn: number, cOut: number) => 2 * BATCH * pixels * k * k * cIn * cOut;
  const dense = (fanIn: number, fanOut: number) => 2 * BATCH * fanIn * fanOut;
  const step = (layers: number[]) => 3 * layers.reduce((a, b) => a + b, 0) - layers[0]!;
  // 15.5 GFLOP, the figure bench/README.md gives.
  assert.equal(
    convNet.flopsPerStep,
    step([conv(1024, 3, 3, 64), conv(1024, 3, 64, 64), dense(16 * 16 * 64, 256), dense(256, 256), dense(256, 10)]),
  );
  assert.equal(
    conv6.flopsPerStep,
    step([
      conv(1024, 3, 3, 64), conv(1024, 3, 64, 64), conv(256, 3, 64, 128), conv(256, 3, 128, 128),
      conv(64, 3, 128, 256), conv(64, 3, 256, 256), dense(4 * 4 * 256, 256), dense(256, 256), dense(256, 10),
    ]),
  );
  // LeNet-5's second conv is 'valid': 14×14 in, 10×10 out.
  assert.equal(
    lenet5.flopsPerStep,
    step([conv(784, 5, 1, 6), conv(100, 5, 6, 16), dense(5 * 5 * 16, 120), dense(120, 84), dense(84, 10)]),
  );
});
