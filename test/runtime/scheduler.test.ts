// The scheduler: dependency order, critical-path priority, the concurrency limit, failures that fail
// only descendants, clean aborts, reruns that continue where the last run stopped, and concurrent runs
// on one cache that compute each stage once. Stages come from the fake library (no tensorflow).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import type { Stage } from '../../core/stage.ts';
import { InProcessExecutor } from '../../runtime/executors/in-process.ts';
import { loadStageLibrary } from '../../runtime/executors/stage-library.ts';
import { runStages } from '../../runtime/run.ts';
import { schedule, type StageReport } from '../../runtime/scheduler.ts';
import { Store } from '../../runtime/store/index.ts';
import { computedLog, fakeLibraryUrl, freshDir, makeStage, programOf } from './helpers.ts';

const never = new AbortController().signal;

/** A compute function that records when each stage starts and ends, taking `ms` per stage. */
function recorder(ms = 5) {
  const events: string[] = [];
  let running = 0;
  let mostAtOnce = 0;
  return {
    events,
    mostAtOnce: () => mostAtOnce,
    compute: async (stage: Stage) => {
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      events.push(`start ${stage.name}`);
      await sleep(ms);
      events.push(`end ${stage.name}`);
      running--;
      return { status: 'done' as const, seconds: ms / 1000 };
    },
  };
}

async function setup() {
  const dir = await freshDir();
  const log = join(dir, 'computed.log');
  const store = new Store(join(dir, 'cache'));
  const library = await loadStageLibrary(fakeLibraryUrl(log));
  const run = (stages: Stage[], options: { signal?: AbortSignal; jobs?: number; onStarted?: (stage: Stage) => void; onProgress?: () => void } = {}) =>
    runStages({
      program: programOf(stages), store, jobs: options.jobs ?? 2, signal: options.signal ?? never,
      executor: () => new InProcessExecutor({ ltxVersion: 'test', store, library, programDir: dir }),
      view: {
        started: (stage) => options.onStarted?.(stage), progress: () => options.onProgress?.(), settled: () => undefined,
        note: () => undefined, close: () => undefined,
      },
    });
  return { dir, log, store, run };
}

const byName = (reports: StageReport[]) => Object.fromEntries(reports.map((r) => [r.name, r]));

test('a stage starts only after every one of its parents has finished', async () => {
  const a = makeStage('a', 'source', { value: 1 });
  const b = makeStage('b', 'sum', {}, { x: a });
  const c = makeStage('c', 'sum', { other: true }, { x: a });
  const d = makeStage('d', 'sum', {}, { left: b, right: c });
  const e = makeStage('e', 'source', { value: 2 });
  const r = recorder();
  const reports = await schedule({ stages: [a, e, b, c, d], jobs: 3, signal: never, isCached: async () => false, compute: r.compute });
  assert.deepEqual(reports.map((x) => x.status), ['done', 'done', 'done', 'done', 'done']);
  const at = (event: string) => r.events.indexOf(event);
  for (const [child, parents] of [['b', ['a']], ['c', ['a']], ['d', ['b', 'c']]] as const) {
    for (const parent of parents) assert.ok(at(`end ${parent}`) < at(`start ${child}`), `${parent} ends before ${child} starts: ${r.events.join(', ')}`);
  }
});

test('with one slot, the stage with the longest path to the end goes first', async () => {
  const x1 = makeStage('x1', 'source', { value: 1 });
  const x2 = makeStage('x2', 'sum', {}, { x: x1 });
  const x3 = makeStage('x3', 'sum', {}, { x: x2 });
  const y1 = makeStage('y1', 'source', { value: 2 });
  const y2 = makeStage('y2', 'source', { value: 3 });
  const r = recorder(1);
  await schedule({ stages: [y1, y2, x1, x2, x3], jobs: 1, signal: never, isCached: async () => false, compute: r.compute });
  const starts = r.events.filter((e) => e.startsWith('start')).map((e) => e.slice(6));
  assert.deepEqual(starts.slice(0, 2), ['x1', 'x2']);
});

test('the critical path weighs stages by their cost: a long training chain beats a longer chain of cheap stages', async () => {
  const long = makeStage('long', 'source', { value: 1 });
  const cheap1 = makeStage('cheap1', 'source', { value: 2 });
  const cheap2 = makeStage('cheap2', 'sum', {}, { x: cheap1 });
  const cheap3 = makeStage('cheap3', 'sum', {}, { x: cheap2 });
  const r = recorder(1);
  await schedule({
    stages: [cheap1, cheap2, cheap3, long], jobs: 1, signal: never, isCached: async () => false, compute: r.compute,
    cost: (stage) => (stage.name === 'long' ? 100 : 1),
  });
  assert.equal(r.events[0], 'start long');
});

test('no more than `jobs` stages compute at once', async () => {
  const stages = Array.from({ length: 7 }, (_, i) => makeStage(`s${i}`, 'source', { value: i }));
  const r = recorder(10);
  await schedule({ stages, jobs: 2, signal: never, isCached: async () => false, compute: r.compute });
  assert.equal(r.mostAtOnce(), 2);
});

test('stages already in the store are not computed, not even queued', async () => {
  const a = makeStage('a', 'source', { value: 1 });
  const b = makeStage('b', 'sum', {}, { x: a });
  const r = recorder(1);
  const reports = await schedule({ stages: [a, b], jobs: 2, signal: never, isCached: async (key) => key === a.key, compute: r.compute });
  assert.deepEqual(reports.map((x) => x.status), ['cached', 'done']);
  assert.deepEqual(r.events, ['start b', 'end b']);
});

test('a failing stage fails only its descendants; everything else completes', async () => {
  const { store, run } = await setup();
  const a = makeStage('a', 'source', { value: 1 });
  const broken = makeStage('broken', 'fail', { cause: 'loss became NaN at step 3' }, { x: a });
  const child = makeStage('child', 'sum', {}, { x: broken });
  const grandchild = makeStage('grandchild', 'sum', {}, { x: child, y: a });
  const sibling = makeStage('sibling', 'sum', {}, { x: a });
  const poisoned = makeStage('poisoned', 'nan', {}, { x: a });
  const unrelated = makeStage('unrelated', 'source', { value: 5 });
  const summary = await run([a, unrelated, broken, sibling, poisoned, child, grandchild]);
  const r = byName(summary.stages);
  assert.equal(r.broken!.status, 'failed');
  assert.equal(r.broken!.error, 'loss became NaN at step 3');
  assert.equal(r.poisoned!.status, 'failed');
  assert.match(r.poisoned!.error!, /not finite/);
  assert.deepEqual([r.child!.status, r.child!.error], ['skipped', "'broken' failed"]);
  assert.deepEqual([r.grandchild!.status, r.grandchild!.error], ['skipped', "'broken' failed"]);
  for (const name of ['a', 'sibling', 'unrelated']) assert.equal(r[name]!.status, 'done', name);
  assert.equal(summary.failed, 2);
  assert.equal(await store.lookup(broken.key), undefined);
  assert.equal(await store.lookup(poisoned.key), undefined);
  assert.ok(await store.lookup(sibling.key));
});

test('a second run computes nothing: every stage is cached', async () => {
  const { log, run } = await setup();
  const a = makeStage('a', 'source', { value: 1 });
  const b = makeStage('b', 'sum', {}, { x: a });
  const p = makeStage('p', 'measure', {}, { x: b });
  const first = await run([a, b, p]);
  assert.deepEqual(first.stages.map((s) => s.status), ['done', 'done', 'done']);
  const computed = (await computedLog(log)).length;
  const second = await run([a, b, p]);
  assert.deepEqual(second.stages.map((s) => s.status), ['cached', 'cached', 'cached']);
  assert.equal(second.backend, undefined, 'no executor was started');
  assert.equal((await computedLog(log)).length, computed);
});

test('an abort stops the running stage at a step boundary, commits nothing of it, and a rerun completes', async () => {
  const { store, log, run } = await setup();
  const a = makeStage('a', 'source', { value: 1 });
  const slow = makeStage('slow', 'slow', { steps: 50, ms: 5 }, { x: a });
  const after = makeStage('after', 'measure', {}, { x: slow });
  const controller = new AbortController();
  const first = await run([a, slow, after], { signal: controller.signal, onProgress: () => controller.abort() });
  const r = byName(first.stages);
  assert.equal(first.interrupted, true);
  assert.equal(r.a!.status, 'done');
  assert.equal(r.slow!.status, 'interrupted');
  assert.equal(r.after!.status, 'interrupted');
  assert.equal(await store.lookup(slow.key), undefined, 'nothing of the aborted stage is in the store');
  assert.deepEqual((await store.listRecordKeys()).sort(), [a.key]);

  const rerun = await run([a, slow, after]);
  assert.deepEqual(rerun.stages.map((s) => s.status), ['cached', 'done', 'done']);
  assert.equal((await computedLog(log)).filter((c) => c.name === 'a').length, 1, 'a was computed once in all');
});

test('two runs on one cache at the same time compute each stage once', async () => {
  const { log, run } = await setup();
  const a = makeStage('a', 'slow', { steps: 3, ms: 10 });
  const b = makeStage('b', 'slow', { steps: 3, ms: 10 }, { x: a });
  const c = makeStage('c', 'slow', { steps: 4, ms: 10 }, { x: a });
  const d = makeStage('d', 'measure', {}, { x: b, y: c });
  const [one, two] = await Promise.all([run([a, b, c, d]), run([a, b, c, d])]);
  const computed = await computedLog(log);
  assert.deepEqual(computed.map((c) => c.name).sort(), ['a', 'b', 'c', 'd']);
  for (const i of [0, 1, 2, 3]) {
    const statuses = [one.stages[i]!.status, two.stages[i]!.status].sort();
    assert.deepEqual(statuses, ['cached', 'done'], `${one.stages[i]!.name}: one run computed it, the other reused it`);
  }
});

/** Group computations as schedule() hands them out: the names of each group, and how many ran at once. */
function groupRecorder(ms = 5) {
  const alone = recorder(ms);
  const groups: string[][] = [];
  return {
    ...alone,
    groups,
    computeGroup: async (stages: readonly Stage[]) => {
      groups.push(stages.map((s) => s.name));
      return Promise.all(stages.map((stage) => alone.compute(stage)));
    },
  };
}

test('stages of one group key ready at once compute together, shared out evenly among the free slots', async () => {
  const stages = Array.from({ length: 9 }, (_, i) => makeStage(`r${i}`, 'source', { value: i }));
  const r = groupRecorder();
  const reports = await schedule({
    stages, jobs: 2, signal: never, isCached: async () => false, compute: r.compute, computeGroup: r.computeGroup, groupKey: () => 'replicates',
  });
  assert.deepEqual(r.groups.map((g) => g.length).sort(), [4, 5]);
  assert.deepEqual(r.groups.flat().sort(), stages.map((s) => s.name).sort());
  assert.ok(reports.every((report) => report.status === 'done'));
});

test('stages of different group keys, or of none, never share a group; maxGroup caps a group', async () => {
  const stages = Array.from({ length: 7 }, (_, i) => makeStage(`s${i}`, 'source', { value: i }));
  const r = groupRecorder();
  await schedule({
    stages, jobs: 1, signal: never, isCached: async () => false, compute: r.compute, computeGroup: r.computeGroup, maxGroup: 2,
    groupKey: (stage) => (stage.name === 's6' ? undefined : `key${Number(stage.name.slice(1)) % 2}`),
  });
  // Three stages of each key: a group of two (the cap) and one computed alone.
  assert.deepEqual(r.groups.map((g) => g.length), [2, 2]);
  for (const group of r.groups) {
    assert.equal(new Set(group.map((name) => Number(name.slice(1)) % 2)).size, 1, group.join());
    assert.ok(!group.includes('s6'));
  }
  assert.equal(r.events.filter((e) => e.startsWith('start')).length, 7);
});

test('a member its group hands back (declined) is scheduled again on its own and computed alone', async () => {
  const stages = Array.from({ length: 4 }, (_, i) => makeStage(`r${i}`, 'source', { value: i }));
  const alone = recorder();
  const groups: string[][] = [];
  const reports = await schedule({
    stages, jobs: 1, signal: never, isCached: async () => false, groupKey: () => 'replicates',
    compute: alone.compute,
    computeGroup: async (members: readonly Stage[]) => {
      groups.push(members.map((s) => s.name));
      return Promise.all(members.map((stage) => (stage.name === 'r1' || stage.name === 'r3' ? { status: 'declined' as const } : alone.compute(stage))));
    },
  });
  assert.deepEqual(groups, [['r0', 'r1', 'r2', 'r3']]);
  // Computed by compute(), one at a time, after the group.
  assert.deepEqual(alone.events.filter((e) => e.startsWith('start')), ['start r0', 'start r2', 'start r1', 'start r3']);
  assert.ok(reports.every((report) => report.status === 'done'), JSON.stringify(reports));
});

test('a stage computes alone exactly when nothing else runs and every stage left depends on it', async () => {
  // root → (left, right); left → leaf. root and leaf are alone; left and right run side by side.
  const root = makeStage('root', 'source', { value: 1 });
  const left = makeStage('left', 'sum', {}, { x: root });
  const right = makeStage('right', 'sum', { other: true }, { x: root });
  const leaf = makeStage('leaf', 'sum', {}, { x: left, y: right });
  const alone: Record<string, boolean> = {};
  const r = recorder(5);
  await schedule({
    stages: [root, left, right, leaf], jobs: 2, signal: never, isCached: async () => false,
    compute: (stage, _signal, context) => {
      alone[stage.name] = context.alone();
      return r.compute(stage);
    },
  });
  assert.deepEqual(alone, { root: true, left: false, right: false, leaf: true });
});

test('a stage is not alone while an unrelated stage is still to compute, even on one slot', async () => {
  const a = makeStage('a', 'source', { value: 1 });
  const b = makeStage('b', 'source', { value: 2 });
  const alone: boolean[] = [];
  const r = recorder(5);
  await schedule({
    stages: [a, b], jobs: 1, signal: never, isCached: async () => false,
    compute: (stage, _signal, context) => {
      alone.push(context.alone());
      return r.compute(stage);
    },
  });
  // The first waits for nothing but the second does not depend on it; the second is the last one left.
  assert.deepEqual(alone, [false, true]);
});
