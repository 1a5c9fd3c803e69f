import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CacheMaintenance, readProgramRuns, recordProgramRun, Store, StageClaims } from '../../runtime/store/index.ts';
import type { ActionRecord, GcReport } from '../../runtime/store/index.ts';
import { bytesOf, commitInfo, freshStoreRoot, keyFor } from './helpers.ts';

const later = (): Date => new Date(Date.now() + 2 * 60_000);

function blobPath(root: string, record: ActionRecord, output: string): string {
  const digest = record.outputs[output]!.digest;
  return join(root, 'blobs', 'sha256', digest.slice(0, 2), digest.slice(2));
}

async function flipAByte(path: string): Promise<void> {
  const bytes = await readFile(path);
  bytes[2]! ^= 0x04;
  await writeFile(path, bytes);
}

async function replaceWithDirectory(path: string): Promise<string> {
  await rm(path);
  await mkdir(path);
  return path;
}

async function twoStages(root: string): Promise<{ store: Store; a: ActionRecord; b: ActionRecord }> {
  const store = new Store(root);
  const a = await store.commit(
    keyFor('a'),
    { op: 'init', version: 1, params: { seed: 1 }, inputs: [] },
    { weights: { kind: 'checkpoint', bytes: bytesOf('init weights') }, shared: { kind: 'mask', bytes: bytesOf('1111') } },
    { ...commitInfo, name: 'init', finishedAt: '2025-01-01T00:00:01.000Z' },
  );
  const b = await store.commit(
    keyFor('b'),
    { op: 'train', version: 1, params: { lr: 0.1 }, inputs: [keyFor('a')] },
    { weights: { kind: 'checkpoint', bytes: bytesOf('trained weights') }, shared: { kind: 'mask', bytes: bytesOf('1111') } },
    { ...commitInfo, name: 'train', finishedAt: '2025-01-01T00:00:05.000Z' },
  );
  return { store, a, b };
}

test('ls lists key, name, op, bytes and date of every record, oldest first', async () => {
  const root = await freshStoreRoot();
  const { store, a, b } = await twoStages(root);
  await writeFile(join(root, 'actions', `${keyFor('junk')}.json`), 'not json');
  const listing = await new CacheMaintenance(store).ls();
  assert.deepEqual(
    listing.entries.map((e) => [e.key, e.name, e.op, e.bytes, e.date]),
    [
      [a.key, 'init', 'init', 12 + 4, '2025-01-01T00:00:01.000Z'],
      [b.key, 'train', 'train', 15 + 4, '2025-01-01T00:00:05.000Z'],
    ],
  );
  assert.deepEqual(listing.unreadable.map((u) => u.key), [keyFor('junk')]);
});

test('verify passes on an intact cache', async () => {
  const { store } = await twoStages(await freshStoreRoot());
  const report = await new CacheMaintenance(store).verify();
  assert.equal(report.ok, true);
  assert.equal(report.records, 2);
  assert.equal(report.blobs, 3, 'the shared blob is hashed once');
  assert.deepEqual(report.problems, []);
});

test('verify finds a single flipped byte and names every stage that uses the blob', async () => {
  const root = await freshStoreRoot();
  const { store, a, b } = await twoStages(root);
  await flipAByte(blobPath(root, a, 'shared'));

  const report = await new CacheMaintenance(store).verify();
  assert.equal(report.ok, false);
  assert.deepEqual(
    report.problems.map((p) => [p.kind, p.key, 'output' in p ? p.output : undefined]).sort(),
    [
      ['corrupt-blob', a.key, 'shared'],
      ['corrupt-blob', b.key, 'shared'],
    ].sort(),
  );
});

test('verify reports a missing blob and an invalid record with their stage keys', async () => {
  const root = await freshStoreRoot();
  const { store, b } = await twoStages(root);
  await rm(blobPath(root, b, 'weights'));
  await writeFile(join(root, 'actions', `${keyFor('junk')}.json`), '{}');
  const report = await new CacheMaintenance(store).verify();
  const problems = report.problems.map((p) => [p.kind, p.key]);
  assert.deepEqual(problems.sort(), [
    ['invalid-record', keyFor('junk')],
    ['missing-blob', b.key],
  ].sort());
});

test('gc keeps every referenced blob and removes unreferenced ones', async () => {
  const root = await freshStoreRoot();
  const { store, a, b } = await twoStages(root);
  const orphanDigest = keyFor('orphan bytes');
  await mkdir(join(root, 'blobs', 'sha256', orphanDigest.slice(0, 2)), { recursive: true });
  await writeFile(join(root, 'blobs', 'sha256', orphanDigest.slice(0, 2), orphanDigest.slice(2)), 'orphan');

  const report = await new CacheMaintenance(store).gc({ now: later() });
  assert.equal(report.removedBlobs, 1);
  assert.equal(report.bytesFreed, 'orphan'.length);
  assert.deepEqual(report.removedRecords, []);
  assert.equal(report.keptRecords, 2);
  for (const record of [a, b]) {
    const found = await store.lookup(record.key);
    assert.ok(found);
    for (const output of Object.keys(record.outputs)) await store.readOutput(found, output);
  }
});

test('gc with keep drops the other records and their blobs, but not blobs a kept record shares', async () => {
  const root = await freshStoreRoot();
  const { store, a, b } = await twoStages(root);
  await recordProgramRun(store, '/experiments/x.ltx', [{ key: b.key, op: 'train', names: ['train'] }, { key: a.key, op: 'init', names: ['init'] }], new Date());
  const report = await new CacheMaintenance(store).gc({ keep: new Set([a.key]), now: later() });
  assert.deepEqual(report.removedRecords, [{ key: b.key, name: 'train', op: 'train', date: '2025-01-01T00:00:05.000Z', bytes: 15 + 4, reason: 'unkept' }]);
  assert.equal(report.removedBlobs, 1, 'only "trained weights"; the shared mask stays');
  assert.equal(await store.lookup(b.key), undefined);
  assert.deepEqual(Object.keys((await readProgramRuns(store, '/experiments/x.ltx'))!.stages), ['init'], 'the program\'s run index forgets removed results');
  const kept = await store.lookup(a.key);
  assert.ok(kept);
  assert.equal(new TextDecoder().decode(await store.readOutput(kept, 'shared')), '1111');
});

test('gc forgets the run index entries of the records it removes, and the run directories left empty', async () => {
  const store = new Store(await freshStoreRoot());
  const run = keyFor('run');
  const output = { checkpoint: { kind: 'checkpoint', bytes: bytesOf('w') } };
  await store.commit(keyFor('R@10'), { op: 'train' }, output, { ...commitInfo, run: { id: run, step: 10, from: 0 } });
  await store.commit(keyFor('R@20'), { op: 'train' }, output, { ...commitInfo, run: { id: run, step: 20, from: 10 } });
  await new CacheMaintenance(store).gc({ keep: new Set([keyFor('R@10')]), now: later() });
  assert.deepEqual(await readdir(join(store.root, 'runs', run)), ['10.json']);
  await new CacheMaintenance(store).gc({ keep: new Set(), now: later() });
  assert.deepEqual(await readdir(join(store.root, 'runs')), []);
});

/** init → train → probe, as the compiler makes them (inputs by role), plus an unrelated stage; all old. */
async function pipeline(root: string): Promise<{ store: Store; init: ActionRecord; train: ActionRecord; probe: ActionRecord; other: ActionRecord }> {
  const store = new Store(root);
  const commit = (label: string, op: string, inputs: Record<string, string>) => store.commit(
    keyFor(label), { op, version: 1, params: { label }, inputs }, { out: { kind: 'checkpoint', bytes: bytesOf(`bytes of ${label}`) } },
    { ...commitInfo, name: label },
  );
  const init = await commit('init', 'init', {});
  const train = await commit('train', 'train', { start: init.key });
  const probe = await commit('probe', 'accuracy', { x: train.key });
  const other = await commit('other', 'init', {});
  return { store, init, train, probe, other };
}

const keysOf = (report: GcReport): string[] => report.removedRecords.map((r) => r.key).sort();

test('gc with keep also keeps every result a kept one needs as an input, however deep', async () => {
  const { store, init, train, probe, other } = await pipeline(await freshStoreRoot());
  const report = await new CacheMaintenance(store).gc({ keep: new Set([probe.key]), now: later() });
  assert.deepEqual(keysOf(report), [other.key]);
  assert.equal(report.keptRecords, 3);
  for (const record of [init, train, probe]) assert.ok(await store.lookup(record.key), record.name);
});

test('gc keepUsedSince keeps what was computed since then or used by a run of any program since then', async () => {
  const { store, init, train, probe, other } = await pipeline(await freshStoreRoot());
  const since = new Date(Date.now() - 24 * 3600_000);
  // Computed long ago, found cached by a run an hour ago.
  await recordProgramRun(store, '/experiments/a.ltx', [{ key: train.key, op: 'train', names: ['dense'] }], new Date(Date.now() - 3600_000));
  await recordProgramRun(store, '/experiments/b.ltx', [{ key: probe.key, op: 'accuracy', names: ['acc'] }], new Date(since.getTime() - 1000));
  const fresh = await store.commit(keyFor('fresh'), { op: 'init', version: 1, params: {}, inputs: {} }, { out: { kind: 'checkpoint', bytes: bytesOf('fresh') } }, { ...commitInfo, finishedAt: new Date() });

  const report = await new CacheMaintenance(store).gc({ keepUsedSince: since, now: later() });
  assert.deepEqual(keysOf(report), [probe.key, other.key].sort(), 'used before the cut, or never');
  for (const record of [init, train, fresh]) assert.ok(await store.lookup(record.key), record.key);
});

test('gc keep and keepUsedSince together keep what either keeps', async () => {
  const { store, init, train, other } = await pipeline(await freshStoreRoot());
  const fresh = await store.commit(keyFor('fresh'), { op: 'init', version: 1, params: {}, inputs: {} }, { out: { kind: 'checkpoint', bytes: bytesOf('fresh') } }, { ...commitInfo, finishedAt: new Date() });
  const report = await new CacheMaintenance(store).gc({ keep: new Set([train.key]), keepUsedSince: new Date(Date.now() - 3600_000), now: later() });
  assert.deepEqual(report.removedRecords.map((r) => r.name).sort(), ['other', 'probe']);
  for (const record of [init, train, fresh]) assert.ok(await store.lookup(record.key), record.key);
  assert.equal(await store.lookup(other.key), undefined);
});

test('gc dryRun reports what gc would remove, to the byte, and deletes nothing', async () => {
  const root = await freshStoreRoot();
  const { store, probe } = await pipeline(root);
  const leftover = join(root, 'tmp', `${keyFor('crashed')}.00000000000000ff`);
  await mkdir(leftover, { recursive: true });
  await writeFile(join(leftover, 'output-0'), 'partial');
  const before = await listTree(root);

  const maintenance = new CacheMaintenance(store);
  const dry = await maintenance.gc({ keep: new Set([probe.key]), dryRun: true, now: later() });
  assert.equal(dry.dryRun, true);
  assert.deepEqual(await listTree(root), before, 'not a file touched');
  const real = await maintenance.gc({ keep: new Set([probe.key]), now: later() });
  assert.deepEqual({ ...dry, dryRun: false }, real);
  assert.equal(real.removedRecords.length, 1);
  assert.equal(real.removedBlobs, 1);
  assert.equal(real.removedTmp, 1);
  assert.ok(real.bytesFreed > 'bytes of other'.length + 'partial'.length, String(real.bytesFreed));
});

/** Every path under `dir` with its size. */
async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(entries.map(async (e) => `${join(e.parentPath, e.name)} ${e.isFile() ? (await stat(join(e.parentPath, e.name))).size : 'dir'}`)).then((l) => l.sort());
}

test('gc spares young leftovers and leftovers of stages someone is computing', async () => {
  const root = await freshStoreRoot();
  const store = new Store(root);
  const claimedKey = keyFor('being computed');
  const abandonedKey = keyFor('abandoned');
  await mkdir(join(root, 'tmp', `${claimedKey}.0000000000000001`), { recursive: true });
  await mkdir(join(root, 'tmp', `${abandonedKey}.0000000000000002`), { recursive: true });
  await writeFile(join(root, 'tmp', `${abandonedKey}.0000000000000002`, 'output-0'), 'partial');
  const claims = new StageClaims(store, { runId: 'run-1' });
  assert.equal(await claims.acquire(claimedKey), 'acquired');

  const maintenance = new CacheMaintenance(store);
  assert.equal((await maintenance.gc()).removedTmp, 0, 'everything is younger than a minute');
  // Past the grace period, but not so late that the holder's heartbeat would have gone stale.
  const report = await maintenance.gc({ now: new Date(Date.now() + 90_000) });
  assert.equal(report.removedTmp, 1);
  assert.equal(report.bytesFreed, 'partial'.length);
  assert.equal(report.removedClaims, 0, 'a live claim is not stale');
  await claims.release(claimedKey);
});

test('gc removes claims whose process is gone', async () => {
  const root = await freshStoreRoot();
  const store = new Store(root);
  const key = keyFor('dead holder');
  await mkdir(join(root, 'claims'), { recursive: true });
  const now = new Date().toISOString();
  await writeFile(
    join(root, 'claims', `${key}.claim`),
    JSON.stringify({ key, pid: 2 ** 22 + 12345, host: hostname(), runId: 'gone', startedAt: now, heartbeatAt: now }),
  );
  const report = await new CacheMaintenance(store).gc();
  assert.equal(report.removedClaims, 1);
});

test('gc deletes in tmp/ and claims/ only what the store names that way, and nothing in names/ or programs/ that ltx did not write', async () => {
  const root = await freshStoreRoot();
  const { store } = await twoStages(root);
  const leftover = join(root, 'tmp', `${keyFor('crashed')}.00000000000000ff`);
  const strangers = [join(root, 'tmp', 'editor.swp'), join(root, 'names', 'my-notes.json'), join(root, 'programs', 'notes.json'), join(root, 'claims', 'x.stale-1')];
  await mkdir(leftover, { recursive: true });
  for (const dir of ['claims', 'names', 'programs']) await mkdir(join(root, dir), { recursive: true });
  for (const file of strangers) await writeFile(file, '{"name": "mine", "key": "not a key"}');
  // An index entry of an older ltx, and a run index that parses as ltx's but sits under another file name.
  await writeFile(join(root, 'names', 'gone.json'), JSON.stringify({ name: 'gone', key: keyFor('gone'), op: 'train', committedAt: commitInfo.finishedAt }));
  const renamed = join(root, 'programs', `${keyFor('another path')}.json`);
  await writeFile(renamed, JSON.stringify({ program: '/x.ltx', stages: { gone: { key: keyFor('gone'), op: 'train', usedAt: commitInfo.finishedAt } } }));

  const report = await new CacheMaintenance(store).gc({ now: later() });
  assert.equal(report.removedTmp, 1);
  await assert.rejects(readFile(leftover), { code: 'ENOENT' });
  for (const file of [...strangers, join(root, 'names', 'gone.json'), renamed]) assert.ok(await readFile(file, 'utf8'), file);
});

test('gc drops a record whose blob is missing, of the wrong size or a directory, and that directory too', async () => {
  const root = await freshStoreRoot();
  const { store, a, b } = await twoStages(root);
  const c = await store.commit(keyFor('c'), { op: 'probe', version: 1, params: {}, inputs: [] }, { table: { kind: 'probe', bytes: bytesOf('0.97') } }, commitInfo);
  await rm(blobPath(root, a, 'weights'));
  const replaced = await replaceWithDirectory(blobPath(root, b, 'weights'));
  await writeFile(join(replaced, 'inside'), 'x');
  await writeFile(blobPath(root, c, 'table'), '0.9');

  const report = await new CacheMaintenance(store).gc({ now: later() });
  assert.deepEqual(report.removedRecords.map((r) => [r.key, r.reason]).sort(), [[a.key, 'broken'], [b.key, 'broken'], [c.key, 'broken']].sort());
  await assert.rejects(readFile(join(replaced, 'inside')), { code: 'ENOENT' });
  assert.deepEqual(report.removedBlobs, 3, 'the directory, the short table and the now unreferenced shared mask');
});

test('verify finds a blob replaced by a directory; repair drops the damaged records and blobs, so the stages read as absent', async () => {
  const root = await freshStoreRoot();
  const { store, a, b } = await twoStages(root);
  await flipAByte(blobPath(root, a, 'shared'));
  await replaceWithDirectory(blobPath(root, b, 'weights'));

  const maintenance = new CacheMaintenance(store);
  const report = await maintenance.verify();
  assert.deepEqual(report.problems.map((p) => [p.kind, p.key, 'output' in p ? p.output : '']).sort(), [
    ['corrupt-blob', a.key, 'shared'], ['corrupt-blob', b.key, 'shared'], ['corrupt-blob', b.key, 'weights'],
  ].sort());
  assert.ok(await store.lookup(a.key), 'a flipped byte passes the cheap lookup: only hashing finds it');

  const repaired = await maintenance.repair(report.problems);
  assert.deepEqual([...repaired.removedRecords].sort(), [a.key, b.key].sort());
  assert.equal(repaired.removedBlobs, 2);
  assert.equal(await store.lookup(a.key), undefined);
  assert.equal(await store.lookup(b.key), undefined);
  assert.equal((await maintenance.verify()).ok, true);
});

test('gc clears a claim of this host whose process is alive but whose heartbeat is stale', async () => {
  const root = await freshStoreRoot();
  const store = new Store(root);
  const key = keyFor('silent holder');
  await mkdir(join(root, 'claims'), { recursive: true });
  const then = new Date(Date.now() - 10 * 60_000);
  const claim = join(root, 'claims', `${key}.claim`);
  await writeFile(claim, JSON.stringify({ key, pid: process.pid, host: hostname(), runId: 'silent', startedAt: then.toISOString(), heartbeatAt: then.toISOString() }));
  await utimes(claim, then, then);
  assert.equal((await new CacheMaintenance(store).gc()).removedClaims, 1);
});

test('gc with keepRuns keeps every cached checkpoint of those runs: an interrupted run resumes from them', async () => {
  const store = new Store(await freshStoreRoot());
  const run = keyFor('run kept');
  const other = keyFor('run dropped');
  const output = { checkpoint: { kind: 'checkpoint', bytes: bytesOf('w') } };
  // Intermediate commits of a run whose final checkpoint is not computed yet: no kept stage names them.
  await store.commit(keyFor('K@100'), { op: 'train' }, output, { ...commitInfo, run: { id: run, step: 100, from: 0 } });
  await store.commit(keyFor('K@200'), { op: 'train' }, output, { ...commitInfo, run: { id: run, step: 200, from: 0 } });
  await store.commit(keyFor('D@100'), { op: 'train' }, output, { ...commitInfo, run: { id: other, step: 100, from: 0 } });
  await new CacheMaintenance(store).gc({ keep: new Set([keyFor('K@1000')]), keepRuns: new Set([run]), now: later() });
  assert.ok(await store.lookup(keyFor('K@100')));
  assert.ok(await store.lookup(keyFor('K@200')));
  assert.equal(await store.lookup(keyFor('D@100')), undefined);
});
