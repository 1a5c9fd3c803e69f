// Digests of data files and their fast path: an unchanged file (same size, mtime and inode) is not read
// again; any change of those, or a file written just before it was hashed, is read and hashed anew.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { defaultDigestFile, FileDigests } from '../../cli/file-digests.ts';

const dir = mkdtempSync(join(tmpdir(), 'ltx-digests-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const LONG_AGO = new Date('2020-06-05T00:00:00Z');

/** Writes `text` with a modification time long before now, so the fast path may trust it. */
function writeOld(file: string, text: string): void {
  writeFileSync(file, text);
  utimesSync(file, LONG_AGO, LONG_AGO);
}

/**
 * Hashes `file` as one command would (remembering the digest in `store`), lets `change` alter it, and
 * returns what a second command finds: the digest and how many files it had to read.
 */
async function secondLook(store: string, file: string, change: () => void): Promise<{ digest: string; hashed: number }> {
  const first = new FileDigests(store);
  await first.digest(file);
  first.save();
  change();
  const second = new FileDigests(store);
  return { digest: await second.digest(file), hashed: second.hashed };
}

test('an unchanged file\'s digest is remembered across commands and not read again', async () => {
  const data = join(dir, 'fast.txt');
  writeOld(data, 'first version');
  // Same size and mtime: the fast path answers, so a sneaky rewrite goes unseen — proof that nothing was read.
  const seen = await secondLook(join(dir, 'fast.json'), data, () => writeOld(data, 'other version'));
  assert.deepEqual(seen, { digest: sha256('first version'), hashed: 0 });
});

test('a file whose size or mtime changed is hashed again', async () => {
  const data = join(dir, 'changed.txt');
  writeOld(data, 'short');
  const seen = await secondLook(join(dir, 'changed.json'), data, () => writeOld(data, 'longer text'));
  assert.deepEqual(seen, { digest: sha256('longer text'), hashed: 1 });
});

test('a file modified just before it was hashed is hashed again next time (its mtime tick may hide an edit)', async () => {
  const data = join(dir, 'racy.txt');
  writeFileSync(data, 'fresh');
  const seen = await secondLook(join(dir, 'racy.json'), data, () => writeFileSync(data, 'FRESH'));
  assert.deepEqual(seen, { digest: sha256('FRESH'), hashed: 1 });
});

test('the digests live under $XDG_CACHE_HOME/ltx, or ~/.cache/ltx', () => {
  assert.equal(defaultDigestFile({ XDG_CACHE_HOME: '/var/cache/me' }), '/var/cache/me/ltx/file-digests.json');
  assert.match(defaultDigestFile({}), /\/\.cache\/ltx\/file-digests\.json$/);
});
