// The local executor with real worker threads (each starting the cpu backend) on the fake library's
// tiny stages: results land in the store, progress crosses the thread boundary, a stage goes where its
// input already lives, aborts are clean even for a stage that never yields.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import type { Stage } from '../../core/stage.ts';
import type { StageProgress } from '../../runtime/executors/executor.ts';
import { LocalExecutor, WIDE_MIN_STEPS } from '../../runtime/executors/local.ts';
import { runStages } from '../../runtime/run.ts';
import { Store } from '../../runtime/store/index.ts';
import { computedLog, fakeLibraryUrl, freshDir, makeStage, programOf } from './helpers.ts';

async function setup(options: { abortGraceMs?: number } = {}) {
  const dir = await freshDir();
  const log = join(dir, 'computed.log');
  const store = new Store(join(dir, 'cache'));
  const progress: { name: string; p: StageProgress }[] = [];
  let workers = 0;
  const run = (stages: Stage[], signal = new AbortController().signal, onProgress?: () => void) =>
    runStages({
      program: programOf(stages), store, jobs: 2, signal,
      executor: (n) => {
        workers = n;
        return new LocalExecutor({
          jobs: n, backend: 'cpu', storeRoot: store.root, programDir: dir, ltxVersion: 'test', deviceCacheBytes: 1_000_000,
          library: fakeLibraryUrl(log), ...options,
        });
      },
      view: {
        started: () => undefined,
        progress: (stage, p) => { progress.push({ name: stage.name, p }); onProgress?.(); },
        settled: () => undefined, note: () => undefined, close: () => undefined,
      },
    });
  return { store, log, run, progress, workers: () => workers };
}

test('worker threads compute a DAG, commit every result, and report the backend they started', async () => {
  const { store, log, run, workers } = await setup();
  const a = makeStage('a', 'source', { value: 2 });
  const b = makeStage('b', 'source', { value: 3 });
  const total = makeStage('total', 'sum', {}, { x: a, y: b });
  const probe = makeStage('probe', 'measure', {}, { x: total });
  const summary = await run([a, b, total, probe]);
  assert.deepEqual(summary.stages.map((s) => s.status), ['done', 'done', 'done', 'done']);
  assert.equal(summary.backend?.name, 'cpu');
  assert.equal(workers(), 2);
  const record = await store.lookup(probe.key);
  assert.deepEqual(record?.metrics, { value: 5, twice: 10 });
  assert.equal(record?.name, 'probe');
  assert.equal(record?.backend, 'cpu');
  const threads = new Set((await computedLog(log)).map((c) => c.thread));
  assert.ok(![...threads].includes(0), 'nothing computed on the main thread');
});

test('a stage runs on the worker that already holds its input', async () => {
  const { log, run } = await setup();
  const init = makeStage('init', 'source', { value: 1 });
  const next = makeStage('next', 'sum', {}, { x: init });
  const last = makeStage('last', 'sum', {}, { x: next });
  await run([init, next, last]);
  const computed = await computedLog(log);
  const thread = (name: string) => computed.find((c) => c.name === name)!.thread;
  assert.equal(thread('next'), thread('init'));
  assert.equal(thread('last'), thread('next'));
});

test('progress reports cross from the worker to the run', async () => {
  const { run, progress } = await setup();
  const slow = makeStage('slow', 'slow', { steps: 4, ms: 5 });
  await run([slow]);
  assert.deepEqual(progress.map((x) => [x.name, x.p.step, x.p.total]), [['slow', 1, 4], ['slow', 2, 4], ['slow', 3, 4], ['slow', 4, 4]]);
});

test('a failure inside a worker fails that stage with its cause; the worker goes on', async () => {
  const { run } = await setup();
  const broken = makeStage('broken', 'fail', { cause: 'the model does not fit its data' });
  const fine = makeStage('fine', 'source', { value: 1 });
  const later = makeStage('later', 'sum', {}, { x: fine });
  const summary = await run([broken, fine, later]);
  assert.deepEqual(summary.stages.map((s) => [s.name, s.status, s.error]), [
    ['broken', 'failed', 'the model does not fit its data'], ['fine', 'done', undefined], ['later', 'done', undefined],
  ]);
});

test('an abort reaches the worker: the stage stops at a step boundary and leaves nothing in the store', async () => {
  const { store, run } = await setup();
  const slow = makeStage('slow', 'slow', { steps: 500, ms: 10 });
  const controller = new AbortController();
  const summary = await run([slow], controller.signal, () => controller.abort());
  assert.equal(summary.stages[0]!.status, 'interrupted');
  assert.equal(await store.lookup(slow.key), undefined);
});

test('a stage deaf to the abort is stopped by ending its thread; a fresh worker takes over', async () => {
  const { store, log, run } = await setup({ abortGraceMs: 100 });
  // It spins until released, or for two minutes: a run that returns before it is released did not wait for it.
  const release = join(dirname(log), 'release');
  const spin = makeStage('spin', 'spin', { ms: 120_000, release });
  const controller = new AbortController();
  const summary = await run([spin], controller.signal, () => controller.abort());
  const finished = await computedLog(log);
  writeFileSync(release, '');
  assert.equal(summary.stages[0]!.status, 'interrupted');
  assert.deepEqual(finished, [], 'the run returned while the stage was still spinning');
  assert.equal(await store.lookup(spin.key), undefined);
  const again = await run([makeStage('after', 'source', { value: 7 })]);
  assert.equal(again.stages[0]!.status, 'done');
});

/** A training stage of `steps` steps (as its run point says), computed by the fake library's `op`. */
function training(stage: Stage, steps: number): Stage {
  return { ...stage, runPoint: { run: stage.key, from: 0, step: steps } };
}

test('on wasm, a long training stage that computes alone goes to the worker with every core', { skip: availableParallelism() < 2 && 'one core: no worker has more threads than another' }, async () => {
  const dir = await freshDir();
  const log = join(dir, 'computed.log');
  const store = new Store(join(dir, 'cache'));
  // root and leaf compute alone; left and right side by side; short computes alone but is short.
  const root = training(makeStage('root', 'source', { value: 1 }), WIDE_MIN_STEPS);
  const left = training(makeStage('left', 'sum', {}, { x: root }), WIDE_MIN_STEPS);
  const right = training(makeStage('right', 'sum', { other: true }, { x: root }), WIDE_MIN_STEPS);
  const leaf = training(makeStage('leaf', 'sum', {}, { x: left, y: right }), WIDE_MIN_STEPS);
  const short = training(makeStage('short', 'sum', { short: true }, { x: leaf }), WIDE_MIN_STEPS - 1);
  const summary = await runStages({
    program: programOf([root, left, right, leaf, short]), store, jobs: 2, signal: new AbortController().signal,
    executor: (n) => new LocalExecutor({
      jobs: n, backend: 'wasm', storeRoot: store.root, programDir: dir, ltxVersion: 'test', deviceCacheBytes: 1_000_000, library: fakeLibraryUrl(log),
    }),
    view: { started: () => undefined, progress: () => undefined, settled: () => undefined, note: () => undefined, close: () => undefined },
  });
  assert.deepEqual(summary.stages.map((s) => s.status), ['done', 'done', 'done', 'done', 'done']);
  const thread = Object.fromEntries((await computedLog(log)).map((c) => [c.name, c.thread]));
  assert.equal(thread['root'], thread['leaf'], 'the two long stages that compute alone share the wide worker');
  assert.notEqual(thread['left'], thread['right'], 'the two that compute together have a worker each');
  assert.ok(![thread['left'], thread['right'], thread['short']].includes(thread['root']), 'the wide worker computes only long stages that are alone');
});
