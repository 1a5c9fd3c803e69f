// A run on a damaged cache heals it: a record whose output is damaged (a flipped byte, a missing blob,
// a directory in its place) or whose record file is truncated is not reused but computed again, and the
// run says why. A run waiting on another's claim says who holds it; a claim whose holder went silent
// is taken over. Stages come from the fake library (no tensorflow).
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Stage } from '../../core/stage.ts';
import { InProcessExecutor } from '../../runtime/executors/in-process.ts';
import { loadStageLibrary } from '../../runtime/executors/stage-library.ts';
import { LineProgress } from '../../runtime/progress.ts';
import { runStages } from '../../runtime/run.ts';
import type { StageReport } from '../../runtime/scheduler.ts';
import { StageClaims, Store } from '../../runtime/store/index.ts';
import { computedLog, fakeLibraryUrl, freshDir, makeStage, programOf } from './helpers.ts';

const plain = { green: String, red: String, yellow: String, dim: String };

async function setup() {
  const dir = await freshDir();
  const log = join(dir, 'computed.log');
  const store = new Store(join(dir, 'cache'));
  const library = await loadStageLibrary(fakeLibraryUrl(log));
  const source = makeStage('source', 'source', { value: 2 });
  const doubled = makeStage('doubled', 'sum', {}, { x: source, y: source });
  const probe = makeStage('probe', 'measure', {}, { x: doubled });
  const stages = [source, doubled, probe];
  /** Runs the stages; `output()` is what the run has printed so far. */
  const start = () => {
    let text = '';
    const done = runStages({
      program: programOf(stages), store, jobs: 1, signal: new AbortController().signal,
      executor: () => new InProcessExecutor({ ltxVersion: 'test', store, library, programDir: dir }),
      view: new LineProgress({ write: (chunk: string) => (text += chunk) }, plain),
    }).then((summary) => ({ reports: Object.fromEntries(summary.stages.map((r) => [r.name, r])), lines: text.split('\n') }));
    return { done, output: () => text };
  };
  const run = (): Promise<{ reports: Record<string, StageReport>; lines: string[] }> => start().done;
  const computed = async () => (await computedLog(log)).map((c) => c.name);
  /** The blob of a stage's only output. */
  const blobOf = async (stage: Stage): Promise<string> => {
    const record = (await store.readRecord(stage.key))!;
    assert.ok(record.ok);
    return store.layout.blobPath(Object.values(record.record.outputs)[0]!.digest);
  };
  /** Forget a stage's result, so the next run must compute it (and read its inputs). */
  const forget = (stage: Stage) => rm(store.layout.actionPath(stage.key));
  return { dir, store, start, run, computed, blobOf, forget, source, doubled, probe };
}

async function flipAByte(path: string): Promise<void> {
  const bytes = await readFile(path);
  bytes[bytes.length - 1]! ^= 0x01;
  await writeFile(path, bytes);
}

test('a flipped byte in a checkpoint a stage reads: its producer is computed again, and the run says why', async () => {
  const { store, run, computed, blobOf, forget, source, doubled } = await setup();
  await run();
  await flipAByte(await blobOf(source));
  await forget(doubled);

  const { reports, lines } = await run();
  assert.equal(reports['source']!.status, 'done');
  assert.match(reports['source']!.recomputed ?? '', /^output "checkpoint": blob [0-9a-f]{12}… is damaged \(its bytes hash to [0-9a-f]{12}…\)$/);
  assert.equal(reports['doubled']!.status, 'done');
  assert.equal(reports['doubled']!.recomputed, undefined, 'it had no record: computed, not recomputed');
  assert.ok(lines.some((line) => /^done {5}source \(.*\) recomputed: output "checkpoint": blob .* is damaged/.test(line)), lines.join('\n'));
  assert.deepEqual(await computed(), ['source', 'doubled', 'probe', 'source', 'doubled']);
  assert.equal((await store.inspect(source.key, { verifyContent: true })).status, 'found', 'the blob was replaced');
});

test('a flipped byte in a probe table is found by every run (tables are small) and the probe computed again', async () => {
  const { run, computed, blobOf, probe } = await setup();
  await run();
  await flipAByte(await blobOf(probe));
  const { reports } = await run();
  assert.deepEqual(Object.values(reports).map((r) => r.status), ['cached', 'cached', 'done']);
  assert.match(reports['probe']!.recomputed ?? '', /output "probe": .* is damaged/);
  assert.deepEqual((await computed()).slice(3), ['probe']);
});

test('a checkpoint no stage of the run reads is not re-hashed: a flipped byte there waits for cache verify', async () => {
  const { store, run, computed, blobOf, doubled } = await setup();
  await run();
  await flipAByte(await blobOf(doubled));
  const { reports } = await run();
  assert.deepEqual(Object.values(reports).map((r) => r.status), ['cached', 'cached', 'cached']);
  assert.equal((await computed()).length, 3);
  assert.equal((await store.inspect(doubled.key, { verifyContent: true })).status, 'broken');
});

test('a missing blob: the stage is computed again', async () => {
  const { run, blobOf, source } = await setup();
  await run();
  await rm(await blobOf(source));
  const { reports } = await run();
  assert.equal(reports['source']!.status, 'done');
  assert.match(reports['source']!.recomputed ?? '', /^output "checkpoint": blob [0-9a-f]{12}… is missing$/);
});

test('a blob replaced by a directory: the stage is computed again and a file put back', async () => {
  const { store, run, blobOf, forget, source, doubled } = await setup();
  await run();
  const blob = await blobOf(source);
  await rm(blob);
  await mkdir(blob);
  await forget(doubled);
  const { reports } = await run();
  assert.equal(reports['source']!.status, 'done');
  assert.match(reports['source']!.recomputed ?? '', /is not a file$/);
  assert.equal(reports['doubled']!.status, 'done');
  assert.equal((await store.inspect(source.key, { verifyContent: true })).status, 'found');
});

test('a truncated action record: the stage is computed again', async () => {
  const { store, run, doubled } = await setup();
  await run();
  const path = store.layout.actionPath(doubled.key);
  await writeFile(path, (await readFile(path, 'utf8')).slice(0, 40));
  const { reports } = await run();
  assert.equal(reports['doubled']!.status, 'done');
  assert.equal(reports['doubled']!.recomputed, 'the record is not valid JSON');
  assert.ok(await store.lookup(doubled.key));
});

test('a run waiting on another run\'s claim says which stage, who holds it and for how long; it computes the stage when the claim is given up', async () => {
  const { store, start, source } = await setup();
  const other = new StageClaims(store, { runId: 'the-other-run' });
  assert.equal(await other.acquire(source.key), 'acquired');
  const running = start();
  while (!running.output().includes('waiting')) await sleep(10);
  await other.release(source.key);

  const { reports, lines } = await running.done;
  assert.equal(reports['source']!.status, 'done');
  const waiting = lines.filter((line) => line.startsWith('waiting'));
  assert.equal(waiting.length, 1, lines.join('\n'));
  assert.match(waiting[0]!, new RegExp(`^waiting {2}source: claimed by process ${process.pid} on ${hostname()} \\(run the-other-run\\) [\\d.]+ s ago, last heartbeat [\\d.]+ s ago$`));
});

test('a claim naming a live unrelated process with an old heartbeat does not block the run', async () => {
  const { store, run, computed, source } = await setup();
  await mkdir(store.layout.claimsDir, { recursive: true });
  const path = store.layout.claimPath(source.key);
  const then = new Date(Date.now() - 3_600_000);
  // pid 1 is alive, but this claim has not been heard from for an hour.
  await writeFile(path, JSON.stringify({ key: source.key, pid: 1, host: hostname(), runId: 'old', startedAt: then.toISOString(), heartbeatAt: then.toISOString() }));
  await utimes(path, then, then);
  const { reports } = await run();
  assert.deepEqual(Object.values(reports).map((r) => r.status), ['done', 'done', 'done']);
  assert.deepEqual(await computed(), ['source', 'doubled', 'probe']);
});
