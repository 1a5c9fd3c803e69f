// A cache identifies itself (ltx-cache.json, written when ltx creates or adopts it): whatever writes or
// deletes refuses a directory that is not one, and nothing reads a file or a foreign directory as an
// empty cache.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CACHE_FORMAT_VERSION, CACHE_MARKER, CacheMaintenance, CacheUnusableError, NotACacheError, Store, StageClaims } from '../../runtime/store/index.ts';
import { bytesOf, commitInfo, freshStoreRoot, keyFor } from './helpers.ts';

const preimage = { op: 'train', version: 1, params: {}, inputs: [] };
const longAgo = new Date(Date.now() - 3_600_000);

function commitOne(store: Store, label = 'stage'): Promise<unknown> {
  return store.commit(keyFor(label), preimage, { out: { kind: 'table', bytes: bytesOf(label) } }, commitInfo);
}

/** A directory that is not a cache but has a tmp/ and a names/ with old files, like / or a home directory. */
async function foreignDirectory(): Promise<{ dir: string; precious: string[] }> {
  const dir = await freshStoreRoot();
  await mkdir(join(dir, 'tmp'), { recursive: true });
  await mkdir(join(dir, 'names'));
  const precious = [join(dir, 'notes.txt'), join(dir, 'tmp', 'session.sock'), join(dir, 'names', 'people.json')];
  for (const file of precious) {
    await writeFile(file, 'not ltx\'s');
    await utimes(file, longAgo, longAgo);
  }
  return { dir, precious };
}

test('the first commit creates the cache with a marker naming the format and its version', async () => {
  const root = await freshStoreRoot();
  await commitOne(new Store(root));
  assert.deepEqual(JSON.parse(await readFile(join(root, CACHE_MARKER), 'utf8')), { format: 'ltx-cache', version: CACHE_FORMAT_VERSION });
  assert.deepEqual((await new Store(root).condition()).state, 'cache');
});

test('gc, commit and claims refuse a directory that is not a cache, and delete or write nothing there', async () => {
  const { dir, precious } = await foreignDirectory();
  const store = new Store(dir);
  const before = await readdir(dir);
  await assert.rejects(new CacheMaintenance(store).gc({ now: new Date(Date.now() + 3_600_000) }), (error: unknown) => {
    return error instanceof NotACacheError && /it holds 'notes\.txt', which ltx did not create/.test(error.message);
  });
  await assert.rejects(commitOne(store), NotACacheError);
  await assert.rejects(new StageClaims(store, { runId: 'run' }).acquire(keyFor('stage')), NotACacheError);
  for (const file of precious) assert.equal(await readFile(file, 'utf8'), 'not ltx\'s', file);
  assert.deepEqual(await readdir(dir), before);
});

test('reading refuses a regular file and a foreign directory; a missing cache reads as empty', async () => {
  const { dir } = await foreignDirectory();
  await assert.rejects(new Store(dir).assertReadable(), NotACacheError);
  await assert.rejects(new CacheMaintenance(new Store(dir)).ls(), NotACacheError);
  await assert.rejects(new CacheMaintenance(new Store(dir)).verify(), NotACacheError);

  const file = join(dir, 'notes.txt');
  await assert.rejects(new Store(file).assertReadable(), (error: unknown) => error instanceof NotACacheError && /a file, not a directory/.test(error.message));

  const missing = new Store(join(dir, 'not yet'));
  assert.equal(await missing.assertReadable(), 'missing');
  assert.deepEqual(await new CacheMaintenance(missing).ls(), { entries: [], unreadable: [] });
  assert.equal((await new CacheMaintenance(missing).gc()).removedBlobs, 0);
  await assert.rejects(stat(join(dir, 'not yet')), { code: 'ENOENT' }, 'neither reading nor gc creates it');
});

test('a directory with only the layout of a cache from before the marker is read as it is and adopted by the first write', async () => {
  const root = await freshStoreRoot();
  await commitOne(new Store(root), 'old result');
  await rm(join(root, CACHE_MARKER));
  const legacy = new Store(root);
  assert.equal((await legacy.condition()).state, 'unmarked');
  assert.ok(await legacy.lookup(keyFor('old result')), 'its results read as before');
  assert.equal(await legacy.assertReadable(), 'present');
  await assert.rejects(stat(join(root, CACHE_MARKER)), { code: 'ENOENT' }, 'reading does not adopt');

  await new CacheMaintenance(legacy).gc();
  assert.equal((await new Store(root).condition()).state, 'cache', 'gc, a writer, adopted it');
  assert.ok(await new Store(root).lookup(keyFor('old result')));
});

test('an empty directory is adopted as a new cache', async () => {
  const root = await freshStoreRoot();
  await mkdir(root);
  await commitOne(new Store(root));
  assert.equal((await new Store(root).condition()).state, 'cache');
});

test('a cache whose actions/ was replaced by a file cannot be used: the error names the path', async () => {
  const root = await freshStoreRoot();
  await commitOne(new Store(root));
  await rm(join(root, 'actions'), { recursive: true });
  await writeFile(join(root, 'actions'), 'oops');
  const store = new Store(root);
  const namesThePath = (error: unknown) => error instanceof CacheUnusableError && error.message.includes(`${join(root, 'actions')} is a file, not a directory`);
  await assert.rejects(store.assertReadable(), namesThePath);
  await assert.rejects(new CacheMaintenance(store).ls(), namesThePath);
  await assert.rejects(new CacheMaintenance(store).gc(), namesThePath);
  await assert.rejects(commitOne(store, 'another'), namesThePath);
  assert.equal(await readFile(join(root, 'actions'), 'utf8'), 'oops', 'nothing was deleted');
});

test('a cache made by a newer ltx is refused rather than misread', async () => {
  const root = await freshStoreRoot();
  await commitOne(new Store(root));
  await writeFile(join(root, CACHE_MARKER), JSON.stringify({ format: 'ltx-cache', version: CACHE_FORMAT_VERSION + 1 }));
  await assert.rejects(new Store(root).assertReadable(), (error: unknown) => error instanceof CacheUnusableError && /made by a newer ltx/.test(error.message));
});
