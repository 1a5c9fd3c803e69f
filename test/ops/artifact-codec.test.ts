// Artifacts through the store's bytes and back: every kind, exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Checkpoint, Mask, ProbeResult } from '../../core/artifacts.ts';
import { decodeArtifact, encodeArtifact } from '../../runtime/artifact-codec.ts';
import { decodeHeader, encodeTensors } from '../../runtime/store/checkpoint-format.ts';
import { StoreCorruptError } from '../../runtime/store/errors.ts';
import { bitsOf, mlp } from '../training/helpers.ts';

const model = mlp(3, [2], 2);
const mask: Mask = {
  kind: 'mask', model,
  masks: new Map([['layer1.weight', { shape: [3, 2], data: Uint8Array.from([1, 0, 1, 1, 0, 1]) }], ['output.weight', { shape: [2, 2], data: Uint8Array.from([1, 1, 0, 1]) }]]),
};
const f32 = (...v: number[]) => Float32Array.from(v);
const checkpoint: Checkpoint = {
  kind: 'checkpoint', model, step: 12,
  weights: new Map([
    ['layer1.weight', { shape: [3, 2], data: f32(0.25, 0, -1.5, 3e-8, -0, 7) }],
    ['layer1.bias', { shape: [2], data: f32(0.1, -0.2) }],
    ['output.weight', { shape: [2, 2], data: f32(1, 2, 0, 4) }],
    ['output.bias', { shape: [2], data: f32(Number.NaN, Infinity) }],
  ]),
  mask,
  optimizer: { op: 'adam', updates: 12, slots: new Map([['m/layer1.weight', { shape: [3, 2], data: f32(1, 2, 3, 4, 5, 6) }], ['v/layer1.weight', { shape: [3, 2], data: f32(6, 5, 4, 3, 2, 1) }]]) },
};

test('a checkpoint round-trips with its weights bit for bit, its mask and its optimizer state', () => {
  const back = decodeArtifact(encodeArtifact(checkpoint)) as Checkpoint;
  assert.equal(back.kind, 'checkpoint');
  assert.equal(back.step, 12);
  assert.deepEqual(back.model, model);
  assert.deepEqual([...back.weights.keys()], [...checkpoint.weights.keys()]);
  for (const [name, w] of checkpoint.weights) {
    assert.deepEqual(back.weights.get(name)!.shape, w.shape);
    assert.deepEqual(bitsOf(back.weights.get(name)!.data), bitsOf(w.data), name);
  }
  assert.deepEqual(back.mask, mask);
  assert.deepEqual(back.optimizer, checkpoint.optimizer);
});

test('a trained checkpoint\'s loss history round-trips exactly; one without it stays without it', () => {
  for (const loss of [{ initial: 2.302585092994046, smoothed: 0.1 + 0.2, recent: 1 / 3 }, { initial: 2.5, smoothed: 480.25, recent: 466.5, divergedAt: 3 }]) {
    const back = decodeArtifact(encodeArtifact({ ...checkpoint, loss })) as Checkpoint;
    assert.deepEqual(back.loss, loss);
  }
  assert.equal((decodeArtifact(encodeArtifact(checkpoint)) as Checkpoint).loss, undefined);
});

test('a trained checkpoint\'s training curve round-trips exactly, with the steps since its last point', () => {
  const curve = { every: 2, step: [2, 4], loss: [2.302585092994046, 0.1 + 0.2], lr: [0.1, 0.1 / 3], pending: { sum: 1 / 3, steps: 1 } };
  const loss = { initial: 2.5, smoothed: 1, recent: 1, curve };
  assert.deepEqual((decodeArtifact(encodeArtifact({ ...checkpoint, loss })) as Checkpoint).loss, loss);
});

test('a dense checkpoint without optimizer state stays without them', () => {
  const dense: Checkpoint = { kind: 'checkpoint', model, step: 0, weights: checkpoint.weights };
  const back = decodeArtifact(encodeArtifact(dense)) as Checkpoint;
  assert.equal(back.mask, undefined);
  assert.equal(back.optimizer, undefined);
  assert.equal(back.weights.size, 4);
});

test('a mask round-trips, stored as uint8 tensors', () => {
  const bytes = encodeArtifact(mask);
  assert.deepEqual(decodeHeader(bytes).tensors.map((t) => [t.name, t.dtype]), [['mask/layer1.weight', 'uint8'], ['mask/output.weight', 'uint8']]);
  assert.deepEqual(decodeArtifact(bytes), mask);
});

test('a probe result round-trips, numbers JSON cannot hold included', () => {
  const probe: ProbeResult = {
    kind: 'probe',
    metrics: { accuracy: 0.1 + 0.2, loss: Number.NaN, worst: -Infinity, best: Infinity, zero: -0 },
    layers: { layer1: { remaining: 1 / 3, sparsity: 2 / 3 } },
    series: { alpha: [0, 0.5, 1], chains: [[1.5, Number.NaN], [2.5, 3]] },
  };
  const back = decodeArtifact(encodeArtifact(probe)) as ProbeResult;
  assert.deepEqual(back, probe);
  assert.ok(Object.is(back.metrics.zero, -0));
});

test('encoding is deterministic', () => {
  assert.deepEqual(encodeArtifact(checkpoint), encodeArtifact(checkpoint));
});

test('bytes that are not an artifact are refused', () => {
  assert.throws(() => decodeArtifact(encodeTensors([], { artifact: 'tensorboard' })), StoreCorruptError);
});
