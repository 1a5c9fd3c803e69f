// Checkpoints resident on the backend between stages (cpu backend): the rewind checkpoint that every
// level trains from is uploaded once, eviction and closing give its tensors back, results keep their
// bits, and what the device cache does not keep leaves nothing on the backend.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { Json } from '../../core/json.ts';
import type { Stage } from '../../core/stage.ts';
import { decodeArtifact, encodeArtifact } from '../../runtime/artifact-codec.ts';
import type { Artifact, Checkpoint } from '../../core/artifacts.ts';
import { artifactBytes } from '../../runtime/device-cache.ts';
import { InProcessExecutor } from '../../runtime/executors/in-process.ts';
import { createStageLibrary } from '../../stdlib/stage-library.ts';
import { ResidentArtifacts } from '../../runtime/resident-tensors.ts';
import { Store } from '../../runtime/store/index.ts';
import {
  blobs, initCheckpoint, mlp, runCheckpoint, runProbe, sgdMomentum, testSplit, trainParams, useCpuBackend,
} from '../training/helpers.ts';
import { freshDir, makeStage } from './helpers.ts';

before(useCpuBackend);

const net = mlp(6, [8], 3);
const STEPS = 8;

/** An IMP level's worth of stages: init → mask → rewind, then two trainings and a probe from the rewind point. */
function levelStages() {
  const init = makeStage('init', 'init', { model: net as unknown as Json, scheme: 'kaiming_normal', seed: 0 }, {}, 'init');
  const mask = makeStage('mask', 'magnitude', { rate: 0.5, scope: 'global', skip: [], rates: {} }, { weights: init }, 'mask');
  const rewind = makeStage('rewind', 'rewind', {}, { weights: init, mask }, 'rewind');
  const trainA = makeStage('train A', 'train', trainParams(net, blobs, sgdMomentum, STEPS, STEPS, 0), { start: rewind }, 'train');
  const trainB = makeStage('train B', 'train', trainParams(net, blobs, sgdMomentum, STEPS, STEPS, 1), { start: rewind }, 'train');
  const probe = makeStage('probe', 'accuracy', { on: testSplit(blobs) }, { x: rewind }, 'probe');
  return { init, mask, rewind, trainA, trainB, probe };
}

async function executorWith(deviceCacheBytes: number) {
  const dir = await freshDir();
  const store = new Store(join(dir, 'cache'));
  const executor = new InProcessExecutor({ ltxVersion: 'test', store, library: createStageLibrary(), programDir: dir, backend: 'cpu', deviceCacheBytes });
  await executor.start();
  const run = async (stage: Stage): Promise<void> => {
    const outcome = await executor.run(stage, stage.inputs, { signal: new AbortController().signal, progress: () => undefined });
    assert.equal(outcome.status, 'done', `${stage.name}: ${JSON.stringify(outcome)}`);
  };
  const resultOf = async (stage: Stage): Promise<Artifact> => {
    const record = (await store.lookup(stage.key))!;
    return decodeArtifact(await store.readOutput(record, Object.keys(record.outputs)[0]!));
  };
  return { executor, run, resultOf };
}

const ENOUGH = 100_000_000;

test('the rewind checkpoint two trainings and a probe start from is uploaded once and stays resident', async () => {
  const { executor, run } = await executorWith(ENOUGH);
  const s = levelStages();
  for (const stage of [s.init, s.mask, s.rewind]) await run(stage);
  // Pruning and rewinding compute on the arrays: nothing is on the backend yet.
  assert.equal(executor.residentTensorStats()?.uploads, 0);
  await run(s.trainA);
  // The rewind checkpoint's weights and its mask.
  assert.equal(executor.residentTensorStats()?.uploads, 2);
  const resident = tf.memory().numTensors;
  await run(s.trainB);
  await run(s.probe);
  assert.equal(executor.residentTensorStats()?.uploads, 2);
  assert.equal(tf.memory().numTensors, resident);
  await executor.close();
});

test('a stage gives the same bits whether its start is resident or uploaded for it alone', async () => {
  const { run, resultOf, executor } = await executorWith(ENOUGH);
  const s = levelStages();
  for (const stage of [s.init, s.mask, s.rewind, s.trainA, s.trainB, s.probe]) await run(stage);
  const start = (await resultOf(s.rewind)) as Checkpoint;
  // trainB and the probe read the tensors trainA left resident; the direct runs upload their own.
  const alone = await runCheckpoint('train', s.trainB.params, { start });
  assert.deepEqual(encodeArtifact(await resultOf(s.trainB)), encodeArtifact(alone));
  const probed = await runProbe('accuracy', s.probe.params, { x: start });
  assert.deepEqual((await resultOf(s.probe)), probed);
  await executor.close();
});

test('an artifact the device cache does not keep leaves no tensors behind after its stage', async () => {
  const { executor, run } = await executorWith(0);
  const s = levelStages();
  const before = tf.memory().numTensors;
  for (const stage of [s.init, s.mask, s.rewind, s.trainA, s.trainB, s.probe]) {
    await run(stage);
    assert.equal(tf.memory().numTensors, before, stage.name);
  }
  // Nothing is kept, so each stage uploads the rewind checkpoint again: weights and mask twice, weights once.
  assert.deepEqual(executor.residentTensorStats(), { artifacts: 0, tensors: 0, bytes: 0, uploads: 5 });
  await executor.close();
});

test('closing the executor disposes the resident tensors', async () => {
  const { executor, run } = await executorWith(ENOUGH);
  const s = levelStages();
  const before = tf.memory().numTensors;
  for (const stage of [s.init, s.mask, s.rewind, s.trainA]) await run(stage);
  assert.ok(tf.memory().numTensors > before);
  await executor.close();
  assert.equal(tf.memory().numTensors, before);
});

test('evicting a checkpoint disposes its tensors; a stage still reading it keeps them until it ends', async () => {
  const init = await initCheckpoint(net);
  const resident = new ResidentArtifacts(ENOUGH);
  const before = tf.memory().numTensors;
  resident.artifacts.set('init', init);
  const first = resident.tensors.lease();
  const weights = first.weightsOf(init);
  first.end();
  assert.equal(tf.memory().numTensors, before + init.weights.size);

  const second = resident.tensors.lease();
  assert.equal(second.weightsOf(init), weights, 'the same tensors, not a second upload');
  resident.artifacts.delete('init');
  assert.equal(tf.memory().numTensors, before + init.weights.size, 'still read by the second stage');
  second.end();
  assert.equal(tf.memory().numTensors, before);
  assert.equal(resident.tensors.stats().uploads, 1);
});

test('resident tensors count in the device cache budget and push out the least recently used', async () => {
  const a = await initCheckpoint(net, 1);
  const b = await initCheckpoint(net, 2);
  const arrays = artifactBytes(a);
  // Room for both checkpoints' arrays, but not for one of them with its tensors too.
  const resident = new ResidentArtifacts(2 * arrays + arrays / 2);
  resident.artifacts.set('a', a);
  resident.artifacts.set('b', b);
  const before = tf.memory().numTensors;
  const lease = resident.tensors.lease();
  lease.weightsOf(b);
  lease.end();
  resident.artifacts.remeasure('b');
  // b's tensors mirror its float32 arrays: its entry now weighs twice its arrays, and a had to go.
  assert.deepEqual(resident.artifacts.keys(), ['b']);
  assert.equal(resident.artifacts.bytes, 2 * arrays);
  assert.equal(tf.memory().numTensors, before + b.weights.size);
  resident.close();
  assert.equal(tf.memory().numTensors, before);
});
