// Stages of one recipe that are ready together compute as one group (runtime/scheduler.ts, the
// executors' runGroup): each member is still its own stage, committed on its own with the bytes it gets
// when every stage computes alone, and a member that fails fails alone.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CompiledProgram } from '../../compiler/compile.ts';
import { groupKeyOf, type StageLibrary } from '../../core/library.ts';
import type { Stage } from '../../core/stage.ts';
import { InProcessExecutor } from '../../runtime/executors/in-process.ts';
import { LocalExecutor } from '../../runtime/executors/local.ts';
import { STANDARD_STAGE_LIBRARY } from '../../stdlib/stage-library.ts';
import type { GroupMember } from '../../runtime/executors/executor.ts';
import { runStages, type RunSummary } from '../../runtime/run.ts';
import { Store } from '../../runtime/store/index.ts';
import { standardLibrary } from '../../stdlib/library.ts';
import { StageFailure } from '../../stdlib/stage-support/failure.ts';
import { compileOk } from '../compiler/helpers.ts';
import { freshDir } from './helpers.ts';

const SWEEP = `dataset d = digits(test: 20%, seed: 0)
model net = mlp(input: 64, hidden: [16], classes: 10)
optimizer opt = sgd(lr: 0.1, momentum: 0.9, batch: 60)
init w0 = kaiming_normal(net, seed: 0)
train dense = fit(w0, data: d.train, optimizer: opt, steps: 30 steps, order: 0)
for seed in [1, 2] {
  train other[seed] = fit(kaiming_normal(net, seed: seed), like: dense, order: seed)
}
mask m = magnitude(dense, rate: 20%, skip: ["output"])
train ticket = fit(rewind(w0, mask: m), like: dense)
control reinit = fit(reinit(w0, mask: m, seed: 7), like: dense)
control shuffled = fit(rewind(w0, mask: random_mask(like: m, seed: 3)), like: dense)
`;

interface Observed {
  store: Store;
  summary: RunSummary;
  /** The names of the stages of each group of more than one that the executor computed. */
  groups: string[][];
  /** The names of the stages of every call to the executor, groups and single stages. */
  calls: string[][];
}

/** Runs `program` on the cpu backend into a fresh cache, with groups or every stage alone. */
async function run(program: CompiledProgram, grouped: boolean, library: StageLibrary = standardLibrary, workers = false): Promise<Observed> {
  const dir = await freshDir();
  const store = new Store(join(dir, 'cache'));
  const groups: string[][] = [];
  const calls: string[][] = [];
  const summary = await runStages({
    program, store, jobs: workers ? 2 : 1, signal: new AbortController().signal,
    ...(grouped ? { groupKey: (stage: Stage) => groupKeyOf(standardLibrary, stage) } : {}),
    executor: () => {
      const executor = workers
        ? new LocalExecutor({ jobs: 2, backend: 'cpu', storeRoot: store.root, programDir: dir, ltxVersion: 'test', deviceCacheBytes: 10_000_000, library: STANDARD_STAGE_LIBRARY })
        : new InProcessExecutor({ ltxVersion: 'test', store, library, programDir: dir, backend: 'cpu' });
      const runGroup = executor.runGroup.bind(executor);
      const runOne = executor.run.bind(executor);
      executor.run = async (stage, inputKeys, hooks) => {
        calls.push([stage.name]);
        return runOne(stage, inputKeys, hooks);
      };
      executor.runGroup = async (members: readonly GroupMember[], signal: AbortSignal) => {
        if (members.length > 1) groups.push(members.map((m) => m.stage.name));
        calls.push(members.map((m) => m.stage.name));
        return runGroup(members, signal);
      };
      return executor;
    },
  });
  return { store, summary, groups, calls };
}

/** Each stage's output digest by stage name. */
async function digests(observed: Observed, program: CompiledProgram): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  for (const stage of program.stages) {
    const outputs = (await observed.store.lookup(stage.key))?.outputs ?? {};
    out.set(stage.name, Object.values(outputs)[0]?.digest);
  }
  return out;
}

test('replicates ready together compute as one group, each committed with the bytes it gets alone', async () => {
  const program = compileOk(SWEEP);
  const grouped = await run(program, true);
  const alone = await run(program, false);
  assert.equal(grouped.summary.failed, 0, JSON.stringify(grouped.summary.stages.filter((s) => s.status === 'failed')));
  assert.deepEqual(alone.groups, []);
  // Which stages are ready at once depends on when their parents finish; here the seeds wait for their
  // inits while dense starts, and join the ticket and its controls, all trained from step 0 for 30 steps.
  assert.deepEqual(grouped.groups.map((names) => names.sort()), [['other[1]', 'other[2]', 'reinit', 'shuffled', 'ticket']]);
  const aloneDigests = await digests(alone, program);
  for (const [name, digest] of aloneDigests) assert.ok(digest, name);
  assert.deepEqual(await digests(grouped, program), aloneDigests);
  for (const report of grouped.summary.stages) assert.equal(report.status, 'done', report.name);
});

test('members whose masks select the sparse kernels are handed back by their group and computed alone, each in a call of its own', async () => {
  // At 90% pruned, ticket, reinit and shuffled train with sparse layers: one after another in their
  // group's worker they would hold up each other (and the other worker would wait).
  const program = compileOk(SWEEP.replace("rate: 20%", "rate: 90%"));
  const grouped = await run(program, true);
  const alone = await run(program, false);
  assert.equal(grouped.summary.failed, 0, JSON.stringify(grouped.summary.stages.filter((s) => s.status === 'failed')));
  const sparse = ['reinit', 'shuffled', 'ticket'];
  assert.ok(grouped.groups.some((names) => sparse.every((name) => names.includes(name))), JSON.stringify(grouped.groups));
  for (const name of sparse) assert.ok(grouped.calls.some((names) => names.length === 1 && names[0] === name), `${name} computed alone: ${JSON.stringify(grouped.calls)}`);
  assert.deepEqual(await digests(grouped, program), await digests(alone, program));
  for (const report of grouped.summary.stages) assert.equal(report.status, 'done', report.name);
});

/** The standard library, but the group's member named `name` fails (as a NaN loss would make it). */
function failingMember(name: string): StageLibrary {
  const batching = standardLibrary.batchingFor!('train')!;
  return {
    ...standardLibrary,
    batchingFor: (op) => op !== 'train' ? standardLibrary.batchingFor!(op) : {
      groupKey: batching.groupKey,
      ...(batching.alone === undefined ? {} : { alone: batching.alone }),
      implementation: async (calls) => {
        const results = await batching.implementation(calls);
        return results.map((result, i) => calls[i]!.stage.name === name ? { status: 'rejected', reason: new StageFailure('loss became NaN at step 3') } : result);
      },
    },
  };
}

test('a member of a group that fails fails alone: the others commit, only its descendants are skipped', async () => {
  const program = compileOk(SWEEP + 'probe acc = accuracy(shuffled, on: d.test)\nprobe acc2 = accuracy(ticket, on: d.test)\n');
  const observed = await run(program, true, failingMember('shuffled'));
  assert.ok(observed.groups.some((names) => names.includes('shuffled') && names.length > 1));
  const status = Object.fromEntries(observed.summary.stages.map((s) => [s.name, s.status]));
  assert.equal(status['shuffled'], 'failed');
  assert.equal(observed.summary.stages.find((s) => s.name === 'shuffled')!.error, 'loss became NaN at step 3');
  assert.equal(status['acc'], 'skipped');
  for (const name of ['ticket', 'reinit', 'other[1]', 'other[2]', 'acc2']) assert.equal(status[name], 'done', name);
  assert.equal(observed.summary.failed, 1);
});

test('worker threads compute groups too: four data orders ready at once go two and two to the two workers, each with its bytes alone', async () => {
  const program = compileOk(`dataset d = digits(test: 20%, seed: 0)
model net = mlp(input: 64, hidden: [16], classes: 10)
init w0 = kaiming_normal(net, seed: 0)
for order in [0, 1, 2, 3] {
  train run[order] = fit(w0, data: d.train, optimizer: sgd(lr: 0.1, batch: 60), steps: 30 steps, order: order)
}
`);
  const grouped = await run(program, true, standardLibrary, true);
  const alone = await run(program, false);
  assert.equal(grouped.summary.failed, 0, JSON.stringify(grouped.summary.stages.filter((s) => s.status === 'failed')));
  assert.deepEqual(grouped.groups.map((g) => g.length), [2, 2]);
  assert.deepEqual(await digests(grouped, program), await digests(alone, program));
});
