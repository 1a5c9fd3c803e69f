import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CacheMaintenance, Store, StoreCorruptError, StoreError, decodeTensors, encodeTensors } from '../../runtime/store/index.ts';
import type { CommitStep } from '../../runtime/store/index.ts';
import { bytesOf, commitInfo, freshStoreRoot, keyFor } from './helpers.ts';

const preimage = { op: 'train', version: 1, params: { lr: 0.1, steps: 100 }, inputs: [keyFor('init')] };

test('a committed stage is found by its key, with outputs, metrics and preimage', async () => {
  const store = new Store(await freshStoreRoot());
  const key = keyFor('stage');
  const checkpoint = encodeTensors([{ name: 'w', dtype: 'float32', shape: [2], data: new Float32Array([1, 2]) }], { step: 100 });
  const record = await store.commit(
    key,
    preimage,
    { weights: { kind: 'checkpoint', bytes: checkpoint }, losses: { kind: 'trace', bytes: bytesOf('[0.9,0.5]') } },
    { ...commitInfo, name: 'dense', metrics: { accuracy: 0.97 } },
  );

  const found = await store.lookup(key);
  assert.deepEqual(found, record);
  assert.equal(found!.name, 'dense');
  assert.deepEqual(found!.metrics, { accuracy: 0.97 });
  assert.equal(found!.seconds, 2.5);
  assert.equal(found!.outputs['weights']!.bytes, checkpoint.byteLength);
  assert.deepEqual(await store.preimageOf(key), preimage);
  const weights = decodeTensors(await store.readOutput(found!, 'weights'));
  assert.deepEqual([...weights.tensors[0]!.data], [1, 2]);
  assert.equal(new TextDecoder().decode(await store.readOutput(found!, 'losses')), '[0.9,0.5]');
});

test('an unknown key reads as absent, and reading creates nothing', async () => {
  const root = await freshStoreRoot();
  const store = new Store(root);
  assert.equal(await store.lookup(keyFor('never')), undefined);
  assert.equal(await store.preimageOf(keyFor('never')), undefined);
  await assert.rejects(readdir(root), { code: 'ENOENT' });
});

test('blobs are content-addressed under blobs/sha256/<2 hex>/<62 hex> and shared between stages', async () => {
  const root = await freshStoreRoot();
  const store = new Store(root);
  const shared = bytesOf('same bytes');
  const a = await store.commit(keyFor('a'), preimage, { out: { kind: 'mask', bytes: shared } }, commitInfo);
  const b = await store.commit(keyFor('b'), preimage, { out: { kind: 'mask', bytes: shared } }, commitInfo);
  const digest = a.outputs['out']!.digest;
  assert.equal(b.outputs['out']!.digest, digest);
  assert.deepEqual(await readFile(join(root, 'blobs', 'sha256', digest.slice(0, 2), digest.slice(2))), Buffer.from(shared));
  assert.deepEqual(await readdir(join(root, 'blobs', 'sha256', digest.slice(0, 2))), [digest.slice(2)]);
  assert.deepEqual(await readdir(join(root, 'tmp')), [], 'a successful commit leaves nothing in tmp/');
});

test('readOutput verifies the digest and names the stage and output on damage', async () => {
  const root = await freshStoreRoot();
  const store = new Store(root);
  const record = await store.commit(keyFor('s'), preimage, { mask: { kind: 'mask', bytes: bytesOf('0101') } }, commitInfo);
  const digest = record.outputs['mask']!.digest;
  await writeFile(join(root, 'blobs', 'sha256', digest.slice(0, 2), digest.slice(2)), '0111');
  await assert.rejects(store.readOutput(record, 'mask'), (error: unknown) => {
    return error instanceof StoreCorruptError && error.key === record.key && error.output === 'mask' && error.digest === digest;
  });
  await assert.rejects(store.readOutput(record, 'nope'), (error: unknown) => error instanceof StoreError && /"mask"/.test(error.message));
});

test('a broken record reads as absent, never as a crash', async () => {
  const root = await freshStoreRoot();
  const store = new Store(root);
  const key = keyFor('broken');
  const record = await store.commit(key, preimage, { out: { kind: 'table', bytes: bytesOf('x') } }, commitInfo);
  const recordPath = join(root, 'actions', `${key}.json`);

  await writeFile(recordPath, '{"key": "trunc');
  assert.equal(await store.lookup(key), undefined);
  assert.equal((await store.inspect(key)).status, 'broken');

  await writeFile(recordPath, JSON.stringify({ ...record, outputs: { out: { digest: 'xyz', bytes: 1, kind: 'table' } } }));
  assert.equal(await store.lookup(key), undefined);

  await writeFile(recordPath, JSON.stringify({ ...record, key: keyFor('other') }));
  assert.equal(await store.lookup(key), undefined);
});

test('a record whose blob is missing reads as absent and says which output', async () => {
  const root = await freshStoreRoot();
  const store = new Store(root);
  const key = keyFor('lost blob');
  const record = await store.commit(key, preimage, { weights: { kind: 'checkpoint', bytes: bytesOf('w') } }, commitInfo);
  const digest = record.outputs['weights']!.digest;
  await rm(join(root, 'blobs', 'sha256', digest.slice(0, 2), digest.slice(2)));
  assert.equal(await store.lookup(key), undefined);
  const outcome = await store.inspect(key);
  assert.equal(outcome.status, 'broken');
  assert.match(outcome.status === 'broken' ? outcome.reason : '', /"weights".*missing/);
});

test('committing a key again replaces its record (newest result wins)', async () => {
  const store = new Store(await freshStoreRoot());
  const key = keyFor('twice');
  await store.commit(key, preimage, { out: { kind: 'table', bytes: bytesOf('first') } }, commitInfo);
  const second = await store.commit(key, preimage, { out: { kind: 'table', bytes: bytesOf('second') } }, commitInfo);
  const found = await store.lookup(key);
  assert.deepEqual(found, second);
  assert.equal(new TextDecoder().decode(await store.readOutput(found!, 'out')), 'second');
});

test('an exception between placing blobs and writing the record leaves no result; gc removes the blobs', async () => {
  const root = await freshStoreRoot();
  const crashing = new Store(root, {
    onCommitStep: (step: CommitStep) => {
      if (step === 'blobs-placed') throw new Error('simulated crash');
    },
  });
  const key = keyFor('interrupted');
  await assert.rejects(crashing.commit(key, preimage, { out: { kind: 'table', bytes: bytesOf('half') } }, commitInfo), /simulated crash/);

  const store = new Store(root);
  assert.equal(await store.lookup(key), undefined);
  const report = await new CacheMaintenance(store).gc({ graceMs: 0 });
  assert.equal(report.removedBlobs, 1);
  assert.equal(report.bytesFreed, 4);
  assert.deepEqual(await readdir(join(root, 'blobs', 'sha256')), []);
});

const crashFixture = fileURLToPath(new URL('./fixtures/crash-during-commit.ts', import.meta.url));

for (const step of ['staged', 'verified', 'blobs-placed'] as const) {
  test(`a process killed at commit step "${step}" leaves no record, and gc clears its garbage`, async () => {
    const root = await freshStoreRoot();
    const key = keyFor(`killed at ${step}`);
    const child = spawnSync(process.execPath, [crashFixture, root, key, step], { encoding: 'utf8' });
    assert.equal(child.status, 3, child.stderr);

    const store = new Store(root);
    assert.equal(await store.lookup(key), undefined);
    assert.equal((await readdir(join(root, 'tmp'))).length, 1, 'the dead commit left its staging directory');

    const maintenance = new CacheMaintenance(store);
    const young = await maintenance.gc();
    assert.equal(young.removedTmp, 0, 'leftovers younger than the grace period may still be in use');

    const report = await maintenance.gc({ now: new Date(Date.now() + 2 * 60_000) });
    assert.equal(report.removedTmp, 1);
    assert.equal(report.removedBlobs, step === 'blobs-placed' ? 1 : 0);
    assert.deepEqual(await readdir(join(root, 'tmp')), []);
    assert.deepEqual(await readdir(join(root, 'blobs', 'sha256')).catch(() => []), []);
  });
}

test('a process killed right after writing the record has committed a complete result', async () => {
  const root = await freshStoreRoot();
  const key = keyFor('killed after record');
  const child = spawnSync(process.execPath, [crashFixture, root, key, 'record-written'], { encoding: 'utf8' });
  assert.equal(child.status, 3, child.stderr);
  const store = new Store(root);
  const record = await store.lookup(key);
  assert.ok(record);
  assert.equal(new TextDecoder().decode(await store.readOutput(record, 'weights')), `weights of ${key}`);
});

test('a run\'s checkpoints are indexed by (run, step): runCheckpoints gives those up to a step, latest first', async () => {
  const store = new Store(await freshStoreRoot());
  const run = keyFor('run R');
  const output = { checkpoint: { kind: 'checkpoint', bytes: bytesOf('w') } };
  for (const step of [10, 30, 20]) {
    await store.commit(keyFor(`R@${step}`), { ...preimage, params: { to: step } }, output, { ...commitInfo, run: { id: run, step, from: 0 } });
  }
  await store.commit(keyFor('S@15'), preimage, output, { ...commitInfo, run: { id: keyFor('run S'), step: 15, from: 0 } });
  const upTo = async (step: number) => {
    const found: [number, string][] = [];
    for await (const record of store.runCheckpoints(run, step)) found.push([record.run!.step, record.key]);
    return found;
  };
  assert.deepEqual(await upTo(25), [[20, keyFor('R@20')], [10, keyFor('R@10')]]);
  assert.deepEqual(await upTo(9), []);
  assert.deepEqual((await store.lookup(keyFor('R@30')))?.run, { id: run, step: 30, from: 0 });
  // An index entry whose record is gone is passed over.
  await rm(join(store.root, 'actions', `${keyFor('R@20')}.json`));
  assert.deepEqual(await upTo(25), [[10, keyFor('R@10')]]);
});

test('commit refuses malformed keys and preimages without an op', async () => {
  const store = new Store(await freshStoreRoot());
  await assert.rejects(store.commit('abc', preimage, {}, commitInfo), TypeError);
  await assert.rejects(store.commit(keyFor('k'), { version: 1 } as never, {}, commitInfo), /op/);
});

test('a blob that vanishes before the record lands (a concurrent gc) is put back by the commit', async () => {
  const root = await freshStoreRoot();
  const bytes = bytesOf('weights');
  const store = new Store(root, {
    onCommitStep: async (step) => {
      if (step !== 'blobs-placed') return;
          const blobsDir = join(root, 'blobs', 'sha256');
      await rm(blobsDir, { recursive: true });
    },
  });
  const record = await store.commit(keyFor('raced with gc'), preimage, { weights: { kind: 'checkpoint', bytes } }, commitInfo);
  const found = await store.lookup(record.key);
  assert.ok(found, 'the record is usable');
  assert.deepEqual(await store.readOutput(found, 'weights'), bytes);
});

test('reusing an old unreferenced blob refreshes its age, so a gc running mid-commit spares it', async () => {
  const root = await freshStoreRoot();
  const bytes = bytesOf('old weights');
  const plain = new Store(root);
  const first = await plain.commit(keyFor('old'), preimage, { weights: { kind: 'checkpoint', bytes } }, commitInfo);
  await new CacheMaintenance(plain).gc({ keep: new Set(), now: new Date(Date.now() + 120_000) });
  assert.equal(await plain.lookup(first.key), undefined);

  // Recreate the orphan with an old modification time, then commit the same bytes while gc runs.
  const digest = first.outputs['weights']!.digest;
  await mkdir(join(root, 'blobs', 'sha256', digest.slice(0, 2)), { recursive: true });
  const blob = join(root, 'blobs', 'sha256', digest.slice(0, 2), digest.slice(2));
  await writeFile(blob, bytes);
  const longAgo = new Date(Date.now() - 3_600_000);
  await utimes(blob, longAgo, longAgo);

  let removedMidCommit = -1;
  const store = new Store(root, {
    onCommitStep: async (step) => {
      if (step === 'blobs-placed') removedMidCommit = (await new CacheMaintenance(new Store(root)).gc()).removedBlobs;
    },
  });
  const record = await store.commit(keyFor('new'), preimage, { weights: { kind: 'checkpoint', bytes } }, commitInfo);
  assert.equal(removedMidCommit, 0);
  assert.deepEqual(await store.readOutput(record, 'weights'), bytes);
});

/** A store holding one stage whose output "weights" is `bytes`; `commit()` commits that stage again. */
async function oneStage(label: string, bytes: Uint8Array) {
  const root = await freshStoreRoot();
  const store = new Store(root);
  const key = keyFor(label);
  const commit = () => store.commit(key, preimage, { weights: { kind: 'checkpoint', bytes } }, commitInfo);
  const record = await commit();
  const digest = record.outputs['weights']!.digest;
  return { store, key, record, commit, blob: join(root, 'blobs', 'sha256', digest.slice(0, 2), digest.slice(2)) };
}

test('a blob replaced by a directory reads as a damaged output, and committing the stage again puts a file back', async () => {
  const bytes = bytesOf('weights');
  const { store, key, record, commit, blob } = await oneStage('blob became a directory', bytes);
  await rm(blob);
  await mkdir(blob);

  const outcome = await store.inspect(key);
  assert.match(outcome.status === 'broken' ? outcome.reason : '', /"weights": blob [0-9a-f]{12}… is not a file/);
  await assert.rejects(store.readOutput(record, 'weights'), (error: unknown) => error instanceof StoreCorruptError && /is not a file/.test(error.message));

  await commit();
  const found = await store.lookup(key);
  assert.ok(found);
  assert.deepEqual(await store.readOutput(found, 'weights'), bytes);
});

test('a flipped byte passes the cheap lookup, inspect with verifyContent finds it, and a new commit of the same bytes replaces the blob', async () => {
  const bytes = bytesOf('checkpoint bytes');
  const { store, key, commit, blob } = await oneStage('flipped', bytes);
  const damaged = Buffer.from(bytes);
  damaged[3]! ^= 0x20;
  await writeFile(blob, damaged);

  assert.ok(await store.lookup(key), 'same size: the cheap check cannot tell');
  const outcome = await store.inspect(key, { verifyContent: true });
  assert.match(outcome.status === 'broken' ? outcome.reason : '', /"weights": blob [0-9a-f]{12}… is damaged \(its bytes hash to [0-9a-f]{12}…\)/);

  assert.equal(await store.discardIfBroken(key, { verifyContent: true }), true);
  assert.equal(await store.lookup(key), undefined);
  await commit();
  assert.deepEqual(await readFile(blob), Buffer.from(bytes), 'the damaged blob was replaced, not reused');
});
