// A real, short training run: an mlp 64-64-10 on the bundled digits learns to classify them.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { digits, initCheckpoint, mlp, runCheckpoint, runProbe, testSplit, trainParams, useCpuBackend } from './helpers.ts';

before(useCpuBackend);

test('an mlp trained for 300 steps on digits is far above chance on the test split', async () => {
  const net = mlp(64, [64], 10);
  const init = await initCheckpoint(net, 1);
  const optimizer = { op: 'sgd', version: 1, lr: 0.05, batch: 32, momentum: 0.9, nesterov: false, weight_decay: 0, warmup: 0 };
  const before = await runProbe('accuracy', { on: testSplit(digits) }, { x: init });
  const trained = await runCheckpoint('train', trainParams(net, digits, optimizer, 300, 300), { start: init });
  const after = await runProbe('accuracy', { on: testSplit(digits) }, { x: trained });
  assert.ok(before.metrics.accuracy! < 0.3, `untrained accuracy ${before.metrics.accuracy}`);
  assert.ok(after.metrics.accuracy! > 0.9, `trained accuracy ${after.metrics.accuracy}`);
  assert.ok(after.metrics.loss! < before.metrics.loss!);
});
