import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, readdir, rename, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Store, StageClaims, inspectClaim, processStartOf } from '../../runtime/store/index.ts';
import type { ClaimContent } from '../../runtime/store/index.ts';
import { bytesOf, commitInfo, freshStoreRoot, keyFor } from './helpers.ts';

const fast = { pollInitialMs: 5, pollMaxMs: 20 };
/** A guard so a broken claim protocol fails a test instead of hanging it; nothing asserts on time. */
const WAIT_LIMIT_MS = 120_000;

function commitStage(store: Store, key: string): Promise<unknown> {
  return store.commit(key, { op: 'train', version: 1, params: {}, inputs: [] }, { out: { kind: 'table', bytes: bytesOf(key) } }, commitInfo);
}

/** Tracks whether a promise has settled, to check that an acquirer is still waiting. */
function watch<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let settled = false;
  const tracked = promise.finally(() => {
    settled = true;
  });
  return { promise: tracked, settled: () => settled };
}

async function writeClaim(root: string, content: ClaimContent, ageMs = 0): Promise<string> {
  await mkdir(join(root, 'claims'), { recursive: true });
  const path = join(root, 'claims', `${content.key}.claim`);
  await writeFile(path, JSON.stringify(content));
  if (ageMs > 0) {
    const then = new Date(Date.now() - ageMs);
    await utimes(path, then, then);
  }
  return path;
}

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  assert.equal(child.status, 0);
  return child.pid!;
}

test('the first acquirer computes; a second waits, then sees the committed result as done', { timeout: WAIT_LIMIT_MS }, async () => {
  const store = new Store(await freshStoreRoot());
  const key = keyFor('shared stage');
  const first = new StageClaims(store, { runId: 'run-1', ...fast });
  const second = new StageClaims(store, { runId: 'run-2', ...fast });

  assert.equal(await first.acquire(key), 'acquired');
  const waiting = watch(second.acquire(key));
  await sleep(60);
  assert.equal(waiting.settled(), false, 'the second acquirer waits while the first holds the claim');

  await commitStage(store, key);
  await first.release(key);
  assert.equal(await waiting.promise, 'done');
  assert.deepEqual(second.heldKeys(), []);
});

test('when the holder releases without a result, a waiter acquires the claim', { timeout: WAIT_LIMIT_MS }, async () => {
  const store = new Store(await freshStoreRoot());
  const key = keyFor('failed stage');
  const first = new StageClaims(store, { runId: 'run-1', ...fast });
  const second = new StageClaims(store, { runId: 'run-2', ...fast });
  assert.equal(await first.acquire(key), 'acquired');
  const waiting = second.acquire(key);
  await first.release(key);
  assert.equal(await waiting, 'acquired');
  assert.deepEqual(second.heldKeys(), [key]);
  await second.release(key);
});

test('acquire answers done without claiming when the result already exists', async () => {
  const root = await freshStoreRoot();
  const store = new Store(root);
  const key = keyFor('cached');
  await commitStage(store, key);
  const claims = new StageClaims(store, { runId: 'run-1' });
  assert.equal(await claims.acquire(key), 'done');
  assert.deepEqual(await readdir(join(root, 'claims')).catch(() => []), []);
});

test('a claim file records pid, host, run id, times and when its process started, and release removes it', async () => {
  const root = await freshStoreRoot();
  const store = new Store(root);
  const key = keyFor('recorded');
  const claims = new StageClaims(store, { runId: 'run-42' });
  await claims.acquire(key);
  const content = JSON.parse(await readFile(join(root, 'claims', `${key}.claim`), 'utf8')) as ClaimContent;
  assert.equal(content.pid, process.pid);
  assert.equal(content.host, hostname());
  assert.equal(content.runId, 'run-42');
  assert.equal(content.key, key);
  assert.ok(!Number.isNaN(Date.parse(content.startedAt)) && !Number.isNaN(Date.parse(content.heartbeatAt)));
  // Where the OS says (Linux: /proc): what tells this process apart from a later one given its pid.
  assert.equal(content.processStart, await processStartOf(process.pid));
  if (process.platform === 'linux') assert.match(content.processStart ?? '', /^.+\/\d+$/);
  await claims.release(key);
  assert.deepEqual(await readdir(join(root, 'claims')), []);
});

test('the heartbeat refreshes heartbeatAt while the claim is held', { timeout: WAIT_LIMIT_MS }, async () => {
  const root = await freshStoreRoot();
  const store = new Store(root);
  const key = keyFor('long stage');
  const claims = new StageClaims(store, { runId: 'run-1', heartbeatMs: 10 });
  await claims.acquire(key);
  const path = join(root, 'claims', `${key}.claim`);
  const initial = JSON.parse(await readFile(path, 'utf8')) as ClaimContent;
  let current = initial;
  while (current.heartbeatAt === initial.heartbeatAt) {
    await sleep(10);
    current = JSON.parse(await readFile(path, 'utf8')) as ClaimContent;
  }
  assert.ok(Date.parse(current.heartbeatAt) > Date.parse(initial.heartbeatAt));
  assert.equal(current.startedAt, initial.startedAt);
  await claims.release(key);
});

test('a claim whose process died on this host is taken over', { timeout: WAIT_LIMIT_MS }, async () => {
  const root = await freshStoreRoot();
  const store = new Store(root);
  const key = keyFor('orphaned');
  const now = new Date().toISOString();
  await writeClaim(root, { key, pid: deadPid(), host: hostname(), runId: 'crashed run', startedAt: now, heartbeatAt: now });

  const claims = new StageClaims(store, { runId: 'run-2', ...fast });
  assert.equal(await claims.acquire(key), 'acquired');
  const content = JSON.parse(await readFile(join(root, 'claims', `${key}.claim`), 'utf8')) as ClaimContent;
  assert.equal(content.pid, process.pid);
  assert.equal(content.runId, 'run-2');
  assert.deepEqual(await readdir(join(root, 'claims')), [`${key}.claim`], 'the stale claim is gone, not set aside');
  await claims.release(key);
});

test('a claim from another host is live until its heartbeat is older than the timeout', { timeout: WAIT_LIMIT_MS }, async () => {
  const root = await freshStoreRoot();
  const store = new Store(root);
  const key = keyFor('remote');
  const policy = { host: hostname(), staleAfterMs: 60_000 };
  const fresh = new Date().toISOString();
  await writeClaim(root, { key, pid: 1, host: 'node-017', runId: 'slurm run', startedAt: fresh, heartbeatAt: fresh });
  assert.equal((await inspectClaim(store.layout, key, policy)).state, 'live');

  const old = new Date(Date.now() - 5 * 60_000).toISOString();
  await writeClaim(root, { key, pid: 1, host: 'node-017', runId: 'slurm run', startedAt: old, heartbeatAt: old }, 5 * 60_000);
  assert.equal((await inspectClaim(store.layout, key, policy)).state, 'stale');
  const claims = new StageClaims(store, { runId: 'run-2', staleAfterMs: 60_000, ...fast });
  assert.equal(await claims.acquire(key), 'acquired');
  await claims.release(key);
});

test('aborting stops the wait with the signal reason', async () => {
  const store = new Store(await freshStoreRoot());
  const key = keyFor('contended');
  const holder = new StageClaims(store, { runId: 'run-1' });
  const waiter = new StageClaims(store, { runId: 'run-2', ...fast });
  await holder.acquire(key);
  const controller = new AbortController();
  const waiting = waiter.acquire(key, controller.signal);
  controller.abort();
  await assert.rejects(waiting, { name: 'AbortError' });
  assert.deepEqual(waiter.heldKeys(), []);
  await holder.release(key);
});

test('a holder whose claim was taken over notices at its next heartbeat and stops owning it', { timeout: WAIT_LIMIT_MS }, async () => {
  const root = await freshStoreRoot();
  const store = new Store(root);
  const key = keyFor('taken over');
  const lost: string[] = [];
  const slow = new StageClaims(store, { runId: 'run-1', host: 'host-a', heartbeatMs: 10, onLost: (k) => lost.push(k) });
  // Seen from host-b with a zero timeout, host-a's claim is stale as soon as a millisecond passes.
  const eager = new StageClaims(store, { runId: 'run-2', host: 'host-b', staleAfterMs: 0, heartbeatMs: 60_000, ...fast });
  await slow.acquire(key);
  await sleep(5);
  assert.equal(await eager.acquire(key), 'acquired');
  while (lost.length === 0) await sleep(10);
  assert.deepEqual(lost, [key]);
  assert.deepEqual(slow.heldKeys(), []);
  await slow.release(key); // a no-op: must not remove the new holder's claim
  const content = JSON.parse(await readFile(join(root, 'claims', `${key}.claim`), 'utf8')) as ClaimContent;
  assert.equal(content.runId, 'run-2');
  await eager.release(key);
});

const racer = fileURLToPath(new URL('./fixtures/claim-racer.ts', import.meta.url));

test('separate processes racing for one stage: exactly one computes it, the rest get done', { timeout: WAIT_LIMIT_MS }, async () => {
  const root = await freshStoreRoot();
  const key = keyFor('raced');
  const log = join(root, '..', 'computations.log');
  const children = Array.from({ length: 4 }, () => spawn(process.execPath, [racer, root, key, log], { stdio: ['pipe', 'pipe', 'inherit'] }));
  const outputs = children.map((child) => {
    let text = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (text += chunk));
    return { child, text: () => text };
  });

  // Start them together so they really race for the claim.
  while (!outputs.every((o) => o.text().includes('ready'))) await sleep(10);
  for (const { child } of outputs) child.stdin.write('go\n');
  const codes = await Promise.all(children.map(async (child) => (await once(child, 'exit'))[0] as number));
  assert.deepEqual(codes, [0, 0, 0, 0]);

  const outcomes = outputs.map((o) => o.text().trim().split('\n').at(-1)).sort();
  assert.deepEqual(outcomes, ['acquired', 'done', 'done', 'done']);
  const computations = (await readFile(log, 'utf8')).trim().split('\n');
  assert.equal(computations.length, 1, 'exactly one process computed the stage');
  const record = await new Store(root).lookup(key);
  assert.ok(record);
  assert.deepEqual(await readdir(join(root, 'claims')), []);
});

test('a claim naming a live but unrelated process of this host, with an old heartbeat, is stale and taken over', { timeout: WAIT_LIMIT_MS }, async () => {
  const root = await freshStoreRoot();
  const store = new Store(root);
  const key = keyFor('pid reused after a reboot');
  const then = new Date(Date.now() - 10 * 60_000).toISOString();
  // pid 1 always exists: a claim naming it is judged by its heartbeat, not by the pid alone.
  await writeClaim(root, { key, pid: 1, host: hostname(), runId: 'before the reboot', startedAt: then, heartbeatAt: then }, 10 * 60_000);
  const state = await inspectClaim(store.layout, key, { host: hostname(), staleAfterMs: 120_000 });
  assert.equal(state.state, 'stale');
  assert.match(state.state === 'stale' ? state.why : '', /no heartbeat from process 1 on .* for 600 s/);

  const claims = new StageClaims(store, { runId: 'run-2', ...fast });
  assert.equal(await claims.acquire(key), 'acquired');
  await claims.release(key);
});

test('a claim whose pid now belongs to a process started at another time is stale, even with a fresh heartbeat', { skip: process.platform !== 'linux' && 'needs /proc' }, async () => {
  const root = await freshStoreRoot();
  const store = new Store(root);
  const key = keyFor('pid reused in a new container');
  const now = new Date().toISOString();
  const start = await processStartOf(process.pid);
  assert.ok(start !== undefined);
  await writeClaim(root, { key, pid: process.pid, host: hostname(), runId: 'gone', startedAt: now, heartbeatAt: now, processStart: `${start}0` });
  const state = await inspectClaim(store.layout, key, { host: hostname(), staleAfterMs: 120_000 });
  assert.equal(state.state, 'stale');
  assert.match(state.state === 'stale' ? state.why : '', new RegExp(`pid ${process.pid} on .* now belongs to another process`));

  await writeClaim(root, { key, pid: process.pid, host: hostname(), runId: 'alive', startedAt: now, heartbeatAt: now, processStart: start });
  assert.equal((await inspectClaim(store.layout, key, { host: hostname(), staleAfterMs: 120_000 })).state, 'live');
});

test('a waiter is told who holds the claim when it starts waiting and when the holder changes', { timeout: WAIT_LIMIT_MS }, async () => {
  const root = await freshStoreRoot();
  const store = new Store(root);
  const key = keyFor('contended');
  const first = new StageClaims(store, { runId: 'run-1' });
  const waiter = new StageClaims(store, { runId: 'run-3', ...fast });
  await first.acquire(key);
  const heard: (string | undefined)[] = [];
  const waiting = waiter.acquire(key, undefined, (holder) => heard.push(holder?.runId));
  while (heard.length === 0) await sleep(5);
  await sleep(50);
  assert.deepEqual(heard, ['run-1'], 'once, not at every poll');

  // Another host's run takes the claim over. Replaced in one rename, as a takeover leaves it to
  // whoever creates it first: the waiter itself could win a gap between removal and creation.
  const now = new Date().toISOString();
  const path = await writeClaim(join(root, 'next'), { key, pid: 4242, host: 'host-b', runId: 'run-2', startedAt: now, heartbeatAt: now });
  await rename(path, join(root, 'claims', `${key}.claim`));
  while (heard.length === 1) await sleep(5);
  assert.deepEqual(heard, ['run-1', 'run-2']);
  await commitStage(store, key);
  await unlink(join(root, 'claims', `${key}.claim`));
  assert.equal(await waiting, 'done');
  await first.release(key);
});

test('a claim records the batch job computing its stage, for whoever finds the claim later', async () => {
  const store = new Store(await freshStoreRoot());
  const key = keyFor('stage on a cluster');
  const claims = new StageClaims(store, { runId: 'run-1', ...fast });
  assert.equal(await claims.acquire(key), 'acquired');
  await claims.recordJob(key, '4242_3');
  const found = await inspectClaim(store.layout, key, { host: hostname(), staleAfterMs: 60_000 });
  assert.equal(found.state, 'live');
  assert.equal((found as { content: ClaimContent }).content.job, '4242_3');
  await claims.release(key);
});
