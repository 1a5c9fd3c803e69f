// makeDirectory: `mkdir -p` that always ends. Node's recursive mkdir retries forever where mkdir says
// ENOENT under a parent that exists (/proc); the store and `ltx report` create their directories with it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { errorCode, makeDirectory } from '../../runtime/store/durable-fs.ts';
import { freshStoreRoot } from './helpers.ts';

const createUnder = fileURLToPath(new URL('./fixtures/create-under.ts', import.meta.url));
/** Kills a child that never ends (the bug); nothing asserts on time. */
const HANG_LIMIT_MS = 30_000;

async function rejection(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return errorCode(error);
  }
}

test('makeDirectory makes every missing parent and accepts a directory that is there', async () => {
  const root = await freshStoreRoot();
  const deep = join(root, 'a', 'b', 'c');
  await makeDirectory(deep);
  assert.ok(statSync(deep).isDirectory());
  await makeDirectory(deep);
  await Promise.all([makeDirectory(join(root, 'x', 'y')), makeDirectory(join(root, 'x', 'y')), makeDirectory(join(root, 'x'))]);
  assert.ok(statSync(join(root, 'x', 'y')).isDirectory());
});

test('makeDirectory rejects a file in the way (EEXIST) and a path under a file (ENOTDIR)', async () => {
  const root = await freshStoreRoot();
  await makeDirectory(root);
  const file = join(root, 'file');
  await writeFile(file, 'not a directory');
  assert.equal(await rejection(makeDirectory(file)), 'EEXIST');
  assert.equal(await rejection(makeDirectory(join(file, 'below'))), 'ENOTDIR');
});

for (const action of ['mkdir', 'commit', 'claim']) {
  test(`under /proc, where mkdir says ENOENT although the parent exists, ${action} ends with ENOENT`, { skip: !existsSync('/proc/self') && 'needs Linux /proc' }, () => {
    for (const path of ['/proc/self/x', '/proc/self/x/y']) {
      const r = spawnSync(process.execPath, [createUnder, action, path], { encoding: 'utf8', timeout: HANG_LIMIT_MS });
      assert.equal(r.signal, null, `${action} ${path} did not end`);
      assert.equal(r.stdout, 'ENOENT\n', r.stderr);
    }
  });
}

test('no source file creates directories with Node\'s recursive mkdir (it never returns under /proc)', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  // git grep exits 1 when it finds nothing: that is the passing case.
  const grep = spawnSync('git', ['grep', '-n', '-E', '[^`]mkdir(Sync)?\\([^)]*recursive: *true', '--', 'core', 'lang', 'compiler', 'stdlib', 'runtime', 'cli', 'bench', 'scripts'], { cwd: root, encoding: 'utf8' });
  assert.equal(grep.status, 1, `use makeDirectory (runtime/store/durable-fs.ts) instead:\n${grep.stdout}${grep.stderr}`);
});
