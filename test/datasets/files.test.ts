// Data files are read only when they are regular files, and only up to a limit: a device, a FIFO or a
// directory where a file belongs is refused before it is opened (a FIFO would block the open, /dev/zero
// never ends), and so is a file larger than its limit, before or after decompression.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DATA_FILE_LIMITS, readDataFile, readFileHead } from '../../stdlib/datasets/files.ts';
import { probeDatasetSizes } from '../../stdlib/datasets/index.ts';
import { idxBytes, tempDir } from './fixtures.ts';

async function fifo(t: Parameters<typeof tempDir>[0]): Promise<string> {
  const path = join(await tempDir(t), 'pipe');
  assert.equal(spawnSync('mkfifo', [path]).status, 0, 'mkfifo');
  return path;
}

const refused = (message: RegExp) => ({ name: 'DataFileRefused', message });

test('a FIFO is refused without waiting for a writer', async (t) => {
  const path = await fifo(t);
  await assert.rejects(readDataFile(path, 'text file', 100), refused(new RegExp(`^text file ${path} is a FIFO \\(named pipe\\), not a regular file$`)));
  await assert.rejects(readFileHead(path, 4, 'train images file', 100), refused(/is a FIFO \(named pipe\), not a regular file$/));
});

test('a character device and a directory are refused', async (t) => {
  await assert.rejects(readDataFile('/dev/zero', 'text file', 100), refused(/^text file \/dev\/zero is a character device, not a regular file$/));
  const dir = await tempDir(t);
  await assert.rejects(readDataFile(dir, 'text file', 100), refused(/is a directory, not a regular file$/));
});

test('a file over the limit is refused with its size named', async (t) => {
  const file = join(await tempDir(t), 'big.txt');
  await writeFile(file, 'x'.repeat(3000));
  await assert.rejects(readDataFile(file, 'text file', 2048), refused(/^text file .*big\.txt is 2\.9 KiB, over the 2 KiB ltx reads of a text file$/));
  assert.equal((await readDataFile(file, 'text file', 3000)).length, 3000);
});

test('gzipped data that decompresses past the limit is refused', async (t) => {
  const file = join(await tempDir(t), 'bomb.gz');
  await writeFile(file, gzipSync(new Uint8Array(100_000)));
  await assert.rejects(readDataFile(file, 'text file', 50_000), refused(/^text file .*bomb\.gz decompresses to more than the 48\.8 KiB ltx reads of a text file$/));
});

test('a file that reports no size is read only up to the limit', async () => {
  // Files under /proc report size 0 whatever they hold.
  await assert.rejects(readDataFile('/proc/self/maps', 'text file', 10), refused(/^text file \/proc\/self\/maps holds more than the 10 bytes ltx reads of a text file$/));
});

test('an unreadable file is a DatasetError naming it, not a hang', async () => {
  await assert.rejects(readDataFile('/proc/self/mem', 'text file', DATA_FILE_LIMITS.text), { name: 'DatasetError', message: /^cannot read text file \/proc\/self\/mem: / });
});

test('mnist: an IDX header that announces more than the limit is refused before anything is decompressed', async (t) => {
  const dir = await tempDir(t);
  const huge = idxBytes([100_000, 10_000, 10_000], new Uint8Array(0));
  await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(huge));
  await writeFile(join(dir, 'train-labels-idx1-ubyte'), idxBytes([1], new Uint8Array(1)));
  await writeFile(join(dir, 't10k-images-idx3-ubyte'), idxBytes([1, 1, 1], new Uint8Array(1)));
  await writeFile(join(dir, 't10k-labels-idx1-ubyte'), idxBytes([1], new Uint8Array(1)));
  await assert.rejects(probeDatasetSizes('mnist', { path: dir }), refused(/train-images-idx3-ubyte\.gz: its header \(100000 × 10000 × 10000 images\) announces 9\.1 TiB, over the 1 GiB ltx reads of a train images file$/));
});

test('mnist and cifar10: a path naming anything but a directory is refused', async (t) => {
  const file = join(await tempDir(t), 'not-a-dir');
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, '');
  await assert.rejects(probeDatasetSizes('mnist', { path: '/dev/zero' }), refused(/^mnist: path \/dev\/zero is a character device, not a directory$/));
  await assert.rejects(probeDatasetSizes('cifar10', { path: file }), refused(/^cifar10: path .*not-a-dir is a regular file, not a directory$/));
});
