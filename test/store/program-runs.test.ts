// The per-program run index: which stage key each declaration of a program file had at its last run.
import assert from 'node:assert/strict';
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { allProgramRuns, programIdentity, readProgramRuns, recordProgramRun, Store } from '../../runtime/store/index.ts';
import { freshStoreRoot, keyFor } from './helpers.ts';

const monday = new Date('2026-03-02T09:00:00.000Z');
const tuesday = new Date('2026-03-03T09:00:00.000Z');

test('each program file keeps its own names: the same declaration name in two programs does not mix', async () => {
  const store = new Store(await freshStoreRoot());
  await recordProgramRun(store, '/exp/digits.ltx', [{ key: keyFor('digits dense'), op: 'train', names: ['dense'] }], monday);
  await recordProgramRun(store, '/exp/mnist.ltx', [{ key: keyFor('mnist dense'), op: 'train', names: ['dense'] }], tuesday);
  assert.deepEqual((await readProgramRuns(store, '/exp/digits.ltx'))?.stages, { dense: { key: keyFor('digits dense'), op: 'train', usedAt: monday.toISOString() } });
  assert.equal((await readProgramRuns(store, '/exp/mnist.ltx'))?.stages['dense']?.key, keyFor('mnist dense'));
  assert.equal(await readProgramRuns(store, '/exp/never-run.ltx'), undefined);
  assert.deepEqual((await allProgramRuns(store)).map((runs) => runs.program).sort(), ['/exp/digits.ltx', '/exp/mnist.ltx']);
});

test('a later run replaces the names it used, under every name of a shared stage, and keeps the others', async () => {
  const store = new Store(await freshStoreRoot());
  await recordProgramRun(store, '/exp/a.ltx', [
    { key: keyFor('w0'), op: 'init', names: ['w0'] },
    { key: keyFor('dense v1'), op: 'train', names: ['dense 10→40', 'dense'] },
  ], monday);
  // `ltx run --only dense` after an edit.
  await recordProgramRun(store, '/exp/a.ltx', [{ key: keyFor('dense v2'), op: 'train', names: ['dense'] }], tuesday);
  const { stages } = (await readProgramRuns(store, '/exp/a.ltx'))!;
  assert.deepEqual(Object.fromEntries(Object.entries(stages).map(([name, e]) => [name, [e.key, e.usedAt]])), {
    'w0': [keyFor('w0'), monday.toISOString()],
    'dense 10→40': [keyFor('dense v1'), monday.toISOString()],
    'dense': [keyFor('dense v2'), tuesday.toISOString()],
  });
});

test('the index lives in programs/, one file per program named by the digest of its path', async () => {
  const root = await freshStoreRoot();
  const store = new Store(root);
  await recordProgramRun(store, '/exp/a.ltx', [{ key: keyFor('w0'), op: 'init', names: ['w0'] }], monday);
  assert.deepEqual(await readdir(join(root, 'programs')), [`${keyFor('/exp/a.ltx')}.json`]);
});

test('a damaged index file reads as no previous run, and the next run writes a good one', async () => {
  const store = new Store(await freshStoreRoot());
  await mkdir(store.layout.programsDir, { recursive: true });
  await writeFile(store.layout.programRunsPath('/exp/a.ltx'), '{"program": "/exp/a.ltx", "stag');
  assert.equal(await readProgramRuns(store, '/exp/a.ltx'), undefined);
  await recordProgramRun(store, '/exp/a.ltx', [{ key: keyFor('w0'), op: 'init', names: ['w0'] }], monday);
  assert.equal((await readProgramRuns(store, '/exp/a.ltx'))?.stages['w0']?.key, keyFor('w0'));
});

test('a program is identified by its absolute path, through symbolic links', async () => {
  const dir = dirname(await freshStoreRoot());
  const file = join(dir, 'exp.ltx');
  await writeFile(file, '');
  await symlink(file, join(dir, 'link.ltx'));
  const identity = await programIdentity(file);
  assert.equal(await programIdentity(join(dir, 'link.ltx')), identity);
  assert.equal(await programIdentity(join(dir, '.', 'sub', '..', 'exp.ltx')), identity);
});
