// The grokking setting (Power et al. 2022; Nanda et al. 2023): a decoder transformer trained on
// modular_addition's token pairs `a b`, its loss and accuracy taken at the answer (last) position.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { Artifact } from '../../core/artifacts.ts';
import { correct, loss, readScalars } from '../../stdlib/nn/losses.ts';
import { compileOk } from '../compiler/helpers.ts';
import { context, implementationOf, useCpuBackend } from './helpers.ts';

await useCpuBackend();

test('a sequence model on a classification task is scored at its last position', async () => {
  // Two examples, two positions, three classes: only the last position's logits count.
  const logits = tf.tensor3d([[[9, 0, 0], [0, 5, 0]], [[0, 0, 9], [5, 0, 0]]]);
  const labels = tf.tensor1d([1, 2], 'int32');
  assert.deepEqual(await readScalars([correct('classification', logits, labels)]), [1]);
  const last = tf.tensor2d([[0, 5, 0], [5, 0, 0]]);
  assert.ok(Math.abs(loss('classification', logits, labels).dataSync()[0]! - loss('classification', last, labels).dataSync()[0]!) < 1e-6);
});

test('a transformer trains on modular_addition: its loss on the answers falls', async () => {
  const program = compileOk(`dataset d = modular_addition(p: 5, train: 60%)
model net = transformer(vocab: 5, context: 2, width: 16, heads: 2, layers: 1)
init w = kaiming_normal(net, seed: 0)
optimizer opt = adam(lr: 0.01, batch: 15)
train run = fit(w, data: d.train, optimizer: opt, steps: 60 steps)
probe before = loss(w, on: d.train)
probe after = accuracy(run, on: d.train)
probe after_loss = loss(run, on: d.train)`);
  const artifacts = new Map<string, Artifact>();
  for (const stage of program.stages) {
    const inputs = Object.fromEntries(Object.entries(stage.inputs).map(([role, key]) => [role, artifacts.get(key)!]));
    artifacts.set(stage.key, await implementationOf(stage.op)(stage, inputs, context()));
  }
  const metrics = (name: string) => {
    const result = artifacts.get(program.probes.find((t) => t.name === name)!.rows[0]!.stage)!;
    assert.equal(result.kind, 'probe');
    return (result as { metrics: Record<string, number> }).metrics;
  };
  assert.ok(metrics('after_loss').loss! < metrics('before').loss!, `${metrics('after_loss').loss} < ${metrics('before').loss}`);
  const accuracy = metrics('after').accuracy!;
  assert.ok(accuracy >= 0 && accuracy <= 1);
});
