// The checkpoints of a training run in the cache: keyed by (run, step), a run's stage starts from the
// latest one the cache has, and a long stage commits intermediate ones (core/run-point.ts).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CompiledProgram } from '../../compiler/compile.ts';
import type { Stage } from '../../core/stage.ts';
import type { CheckpointSchedule } from '../../runtime/checkpoint-schedule.ts';
import { InProcessExecutor } from '../../runtime/executors/in-process.ts';
import { runStages } from '../../runtime/run.ts';
import { Store } from '../../runtime/store/index.ts';
import { createStageLibrary } from '../../stdlib/stage-library.ts';
import { compileOk } from '../compiler/helpers.ts';
import { freshDir } from './helpers.ts';

const RUN = `dataset d = digits(test: 20%, seed: 0)
model net = mlp(input: 64, hidden: [16], classes: 10)
init w0 = kaiming_normal(net, seed: 0)
optimizer opt = sgd(lr: 0.1, momentum: 0.9, batch: 60)
train dense = fit(w0, data: d.train, optimizer: opt, steps: 40 steps, order: 0)
`;

/** A program of RUN plus a probe on each of `steps` of dense. */
function withProbesAt(...steps: number[]): CompiledProgram {
  return compileOk(RUN + steps.map((step) => `probe at${step} = sparsity(dense @ ${step} steps)\n`).join(''));
}

async function run(program: CompiledProgram, cache: string, checkpoints?: CheckpointSchedule): Promise<Store> {
  const store = new Store(cache);
  const summary = await runStages({
    program, store, jobs: 1, signal: new AbortController().signal,
    executor: () => new InProcessExecutor({ ltxVersion: 'test', store, library: createStageLibrary(), programDir: cache, backend: 'cpu', ...(checkpoints ? { checkpoints } : {}) }),
  });
  assert.equal(summary.failed, 0, JSON.stringify(summary.stages.filter((s) => s.status === 'failed')));
  return store;
}

function trainAt(program: CompiledProgram, step: number): Stage {
  return program.stages.find((s) => s.runPoint?.step === step)!;
}

async function checkpointDigest(store: Store, key: string): Promise<string | undefined> {
  return (await store.lookup(key))?.outputs['checkpoint']?.digest;
}

test('a newly referenced step of a cached run is trained from the latest checkpoint of its run before it, with the bits of training from the start', async () => {
  const dir = await freshDir();
  const shared = join(dir, 'shared');
  await run(withProbesAt(10), shared);
  const moved = withProbesAt(30);
  const at30 = trainAt(moved, 30);
  assert.equal((await new Store(shared).lookup(trainAt(moved, 40).key)) !== undefined, true, 'dense itself kept its key');
  const store = await run(moved, shared);
  assert.deepEqual((await store.lookup(at30.key))?.run, { id: at30.runPoint!.run, step: 30, from: 10 });

  const alone = await run(moved, join(dir, 'alone'));
  assert.equal((await alone.lookup(at30.key))?.run?.from, 0);
  assert.equal(await checkpointDigest(store, at30.key), await checkpointDigest(alone, at30.key));
});

test('a training stage commits its run\'s checkpoint every N steps; a program that refers to one of those steps finds it cached', async () => {
  const dir = await freshDir();
  const cache = join(dir, 'cache');
  const store = await run(withProbesAt(), cache, { everySteps: 15, everyMs: Number.MAX_SAFE_INTEGER });
  const later = withProbesAt(15, 30);
  for (const step of [15, 30]) {
    const record = await store.lookup(trainAt(later, step).key);
    assert.deepEqual(record?.run, { id: trainAt(later, step).runPoint!.run, step, from: 0 }, `the checkpoint at step ${step}`);
  }
  const fresh = await run(later, join(dir, 'fresh'));
  for (const step of [15, 30]) {
    assert.equal(await checkpointDigest(store, trainAt(later, step).key), await checkpointDigest(fresh, trainAt(later, step).key), `step ${step}: the bits of a stage that ends there`);
  }
});
