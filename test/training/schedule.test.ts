// Learning rates of the schedule at given steps (docs/training.md states the formulas).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { learningRateAt, readOptimizerConfig } from '../../stdlib/optimizers/index.ts';
import { optimizerDescriptor } from './descriptors.ts';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

test('without warmup or decay the learning rate is constant', () => {
  const config = readOptimizerConfig(optimizerDescriptor('sgd', { lr: 0.1 }));
  for (const step of [0, 1, 99]) assert.equal(learningRateAt(config, step, 100), 0.1);
});

test('linear warmup reaches lr at step warmup − 1', () => {
  const config = readOptimizerConfig(optimizerDescriptor('sgd', { lr: 0.1, warmup: 4 }));
  close(learningRateAt(config, 0, 100), 0.025);
  close(learningRateAt(config, 1, 100), 0.05);
  close(learningRateAt(config, 3, 100), 0.1);
  close(learningRateAt(config, 50, 100), 0.1);
});

test('step decay multiplies by factor at each listed step reached', () => {
  const config = readOptimizerConfig(optimizerDescriptor('sgd', { lr: 1, decay: { op: 'step', version: 1, at: [20, 10], factor: 0.1 } }));
  close(learningRateAt(config, 9, 30), 1);
  close(learningRateAt(config, 10, 30), 0.1);
  close(learningRateAt(config, 19, 30), 0.1);
  close(learningRateAt(config, 20, 30), 0.01);
});

test('an unknown decay is refused, naming the known ones', () => {
  assert.throws(
    () => readOptimizerConfig(optimizerDescriptor('sgd', { decay: { op: 'linear', version: 1 } })),
    /optimizer sgd: unknown learning-rate decay "linear" \(known: step, cosine\)/,
  );
});

test('cosine decay runs from lr after warmup to final·lr at the end', () => {
  const config = readOptimizerConfig(optimizerDescriptor('adam', { lr: 1, warmup: 10, decay: { op: 'cosine', version: 1, final: 0.2 } }));
  close(learningRateAt(config, 4, 110), 0.5);
  close(learningRateAt(config, 10, 110), 1);
  // Halfway through the cosine part: final + (1 − final)·½
  close(learningRateAt(config, 60, 110), 0.6);
  close(learningRateAt(config, 110, 110), 0.2);
});

test('warmup and step decay combine', () => {
  const config = readOptimizerConfig(optimizerDescriptor('sgd', { lr: 1, warmup: 10, decay: { op: 'step', version: 1, at: [5], factor: 0.5 } }));
  close(learningRateAt(config, 4, 20), 0.5);
  close(learningRateAt(config, 5, 20), 0.3);
});
