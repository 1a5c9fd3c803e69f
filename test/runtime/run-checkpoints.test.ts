// The checkpoints of a training run in the cache: keyed by (run, step), a run's stage starts from the
// latest one the cache has (core/run-point.ts).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CompiledProgram } from '../../compiler/compile.ts';
import type { Stage } from '../../core/stage.ts';
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

async function run(program: CompiledProgram, cache: string): Promise<Store> {
  const store = new Store(cache);
  const summary = await runStages({
    program, store, jobs: 1, signal: new AbortController().signal,
    executor: () => new InProcessExecutor({ store, library: createStageLibrary(), programDir: cache, backend: 'cpu' }),
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
