// One run of a compiled program: which stages `--only` selects, and a whole compiled program through
// the in-process executor (the fake library stands in for tensorflow).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compileFile } from '../../cli/compile-file.ts';
import type { Executor } from '../../runtime/executors/executor.ts';
import { InProcessExecutor } from '../../runtime/executors/in-process.ts';
import { loadStageLibrary } from '../../runtime/executors/stage-library.ts';
import { runStages, selectStages, UnknownTargetError } from '../../runtime/run.ts';
import { programIdentity, readProgramRuns, Store } from '../../runtime/store/index.ts';
import { computedLog, fakeLibraryUrl, freshDir, makeStage, programOf } from './helpers.ts';

const QUICKSTART = fileURLToPath(new URL('../../examples/quickstart.ltx', import.meta.url));
const program = await compileFile(QUICKSTART, { sets: [] });

test('--only a member of a lottery: that level and what it comes from, nothing of later levels or controls', () => {
  const names = selectStages(program, 'ticket[2]').map((s) => s.name);
  assert.deepEqual(names, ['theta0', 'dense 0→24', 'dense 24→480', 'ticket.mask[1]', 'ticket.rewind[1]', 'ticket[1]', 'ticket.mask[2]', 'ticket.rewind[2]', 'ticket[2]']);
});

test('--only an indexed declaration takes every member; spaces inside the index do not matter', () => {
  const all = selectStages(program, 'reinit_acc').filter((s) => s.kind === 'probe').map((s) => s.name);
  assert.deepEqual(all, ['reinit_acc[1]', 'reinit_acc[2]', 'reinit_acc[3]', 'reinit_acc[4]', 'reinit_acc[5]']);
  assert.deepEqual(selectStages(program, 'reinit[ 3 ]').at(-1)!.name, 'reinit[3]');
});

test('--only an unknown name suggests the closest one', () => {
  assert.throws(() => selectStages(program, 'tickets'), (error: Error) => error instanceof UnknownTargetError && /did you mean 'ticket'\?/.test(error.message));
});

test('a compiled program runs whole; every stage is committed with its preimage and remembered under its names for this program file', async () => {
  const dir = await freshDir();
  const store = new Store(join(dir, 'cache'));
  const log = join(dir, 'computed.log');
  const library = await loadStageLibrary(fakeLibraryUrl(log));
  const summary = await runStages({
    program, store, jobs: 2, signal: new AbortController().signal, programFile: QUICKSTART,
    executor: () => new InProcessExecutor({ ltxVersion: 'test', store, library, programDir: dir }),
  });
  assert.equal(summary.failed, 0);
  assert.equal(summary.stages.length, program.stages.length);
  assert.ok(summary.stages.every((s) => s.status === 'done'));
  assert.equal((await computedLog(log)).length, program.stages.length);
  const mask = program.stages.find((s) => s.name === 'ticket.mask[1]')!;
  const lastRun = await readProgramRuns(store, await programIdentity(QUICKSTART));
  assert.equal(lastRun?.stages['ticket.mask[1]']?.key, mask.key);
  assert.equal(lastRun?.stages['dense']?.key, program.stages.find((s) => s.name === 'dense 24→480')!.key, 'a run\'s last segment under the run\'s name too');
  assert.deepEqual(await store.preimageOf(mask.key), { op: mask.op, version: mask.version, params: mask.params, inputs: mask.inputs });
});

test('a stage whose op the library does not implement fails, naming the op; its sibling completes', async () => {
  const dir = await freshDir();
  const store = new Store(join(dir, 'cache'));
  const fake = await loadStageLibrary(fakeLibraryUrl(join(dir, 'computed.log')));
  const library = { ...fake, implementationFor: (op: string) => (op === 'tea_leaves' ? undefined : fake.implementationFor(op)) };
  const summary = await runStages({
    program: programOf([makeStage('leaves', 'tea_leaves'), makeStage('one', 'source', { value: 1 })]),
    store, jobs: 1, signal: new AbortController().signal,
    executor: () => new InProcessExecutor({ ltxVersion: 'test', store, library, programDir: dir }),
  });
  assert.deepEqual(summary.stages.map((s) => [s.name, s.status]), [['leaves', 'failed'], ['one', 'done']]);
  assert.match(summary.stages[0]!.error!, /no implementation of the stage op 'tea_leaves'/);
});

/**
 * Two stages; computing the first also computes the second, as a batch job submitted ahead of the run
 * (Slurm's afterok order) does: when the run comes to the second, its result is already committed.
 */
const first = makeStage('first', 'source', { value: 1 });
const second = makeStage('second', 'source', { value: 2 });

async function runWithSecondComputedAhead(computedAhead?: ReadonlySet<string>) {
  const dir = await freshDir();
  const store = new Store(join(dir, 'cache'));
  const library = await loadStageLibrary(fakeLibraryUrl(join(dir, 'computed.log')));
  const inner = new InProcessExecutor({ ltxVersion: 'test', store, library, programDir: dir });
  const executor: Executor = {
    get backend() { return inner.backend; },
    start: () => inner.start(),
    run: async (stage, inputKeys, hooks) => {
      const outcome = await inner.run(stage, inputKeys, hooks);
      if (stage.key === first.key) await inner.run(second, second.inputs, { signal: hooks.signal, progress: () => {} });
      return outcome;
    },
    close: () => inner.close(),
  };
  const summary = await runStages({
    program: programOf([first, second]), store, jobs: 1, signal: new AbortController().signal,
    executor: () => executor, ...(computedAhead ? { computedAhead } : {}),
  });
  return Object.fromEntries(summary.stages.map((s) => [s.name, s.status]));
}

test('a stage computed during the run by a job the run submitted ahead is reported done, not cached', async () => {
  assert.deepEqual(await runWithSecondComputedAhead(new Set([second.key])), { first: 'done', second: 'done' });
});

test('a stage another process computed during the run is reported cached', async () => {
  assert.deepEqual(await runWithSecondComputedAhead(), { first: 'done', second: 'cached' });
});
