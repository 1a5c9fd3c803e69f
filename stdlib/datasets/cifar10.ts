// CIFAR-10, binary version: data_batch_1.bin .. data_batch_5.bin and test_batch.bin, each a run of
// 3073-byte records (a label byte, then a 32×32 image as three 1024-byte planes R, G, B). Images are
// turned from the file's CHW planes into HWC per example (NHWC batches) and scaled to [0, 1].
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { arg } from '../signature.ts';
import { defineDataset } from './define.ts';
import { DatasetError } from './errors.ts';
import { DATA_FILE_LIMITS, dataFile, isDirectory, readDataFile, readFileHead } from './files.ts';
import { stringParam } from './params.ts';
import { scaleBytes } from './pixels.ts';
import type { DataFiles, DatasetParams, LoadedDataset, Split, SplitSizes } from './types.ts';

const OP = 'cifar10';
const SIDE = 32;
const CHANNELS = 3;
const PLANE = SIDE * SIDE;
const IMAGE_BYTES = PLANE * CHANNELS;
export const CIFAR10_RECORD_BYTES = 1 + IMAGE_BYTES;
const CLASSES = 10;
const TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
const TEST_FILES = ['test_batch.bin'];
/** The folder the official archive (cifar-10-binary.tar.gz) unpacks into. */
const ARCHIVE_FOLDER = 'cifar-10-batches-bin';

/** `path` may name the batch folder itself or the folder the archive was unpacked in. */
async function batchDirectory(params: DatasetParams): Promise<string> {
  const dir = resolve(stringParam(OP, params, 'path'));
  if (!(await isDirectory(dir, `${OP}: path`))) {
    throw new DatasetError(`${OP}: directory not found: ${dir}; path names the folder holding data_batch_1.bin .. test_batch.bin`, dir);
  }
  const unpacked = join(dir, ARCHIVE_FOLDER);
  const hasBatches = await stat(join(dir, TEST_FILES[0]!)).then(() => true, () => false);
  return !hasBatches && (await isDirectory(unpacked, `${OP}: path`)) ? unpacked : dir;
}

function recordCount(file: string, length: number): number {
  if (length === 0 || length % CIFAR10_RECORD_BYTES !== 0) {
    throw new DatasetError(
      `${file} holds ${length} bytes, expected a non-zero multiple of ${CIFAR10_RECORD_BYTES} ` +
        '(records of 1 label byte + 3072 image bytes)',
      file,
    );
  }
  return length / CIFAR10_RECORD_BYTES;
}

interface Batch {
  file: string;
  bytes: Uint8Array;
  count: number;
}

async function readBatch(file: string): Promise<Batch> {
  const bytes = await readDataFile(file, 'CIFAR-10 batch file', DATA_FILE_LIMITS.binary);
  const count = recordCount(file, bytes.length);
  for (let r = 0; r < count; r++) {
    const label = bytes[r * CIFAR10_RECORD_BYTES]!;
    if (label >= CLASSES) throw new DatasetError(`${file}: record ${r} has label ${label}, outside 0..${CLASSES - 1}`, file);
  }
  return { file, bytes, count };
}

function decode(batches: Batch[]): Split {
  const n = batches.reduce((sum, b) => sum + b.count, 0);
  const x = new Float32Array(n * IMAGE_BYTES);
  const y = new Int32Array(n);
  const planes = new Float32Array(IMAGE_BYTES);
  let example = 0;
  for (const { bytes, count } of batches) {
    for (let r = 0; r < count; r++, example++) {
      const record = r * CIFAR10_RECORD_BYTES;
      y[example] = bytes[record]!;
      scaleBytes(bytes.subarray(record + 1, record + CIFAR10_RECORD_BYTES), 255, planes);
      const out = example * IMAGE_BYTES;
      for (let p = 0; p < PLANE; p++) {
        for (let c = 0; c < CHANNELS; c++) x[out + p * CHANNELS + c] = planes[c * PLANE + p]!;
      }
    }
  }
  return { x, y, n };
}

async function load(params: DatasetParams): Promise<LoadedDataset> {
  const dir = await batchDirectory(params);
  const readAll = (names: string[]) => Promise.all(names.map((name) => readBatch(join(dir, name))));
  const train = decode(await readAll(TRAIN_FILES));
  const test = decode(await readAll(TEST_FILES));
  return { name: OP, task: 'classification', inputShape: [SIDE, SIDE, CHANNELS], classes: CLASSES, train, test };
}

/** Records counted from file lengths (a gzipped batch, which ltx also reads, is decompressed to count). */
async function countRecords(file: string): Promise<number> {
  const { compressed, storedLength } = await readFileHead(file, 2, 'CIFAR-10 batch file', DATA_FILE_LIMITS.binary);
  const length = compressed ? (await readDataFile(file, 'CIFAR-10 batch file', DATA_FILE_LIMITS.binary)).length : storedLength;
  return recordCount(file, length);
}

async function probeSizes(params: DatasetParams): Promise<SplitSizes> {
  const dir = await batchDirectory(params);
  const total = async (names: string[]) =>
    (await Promise.all(names.map((name) => countRecords(join(dir, name))))).reduce((a, b) => a + b, 0);
  return { train: await total(TRAIN_FILES), test: await total(TEST_FILES) };
}

async function files(params: DatasetParams): Promise<DataFiles> {
  const dir = await batchDirectory(params);
  const names = [...TRAIN_FILES, ...TEST_FILES];
  const paths = await Promise.all(names.map((name) => dataFile(join(dir, name), 'CIFAR-10 batch file', DATA_FILE_LIMITS.binary)));
  return Object.fromEntries(names.map((name, i) => [name, paths[i]!]));
}

export const cifar10 = defineDataset({
  name: OP,
  summary: 'CIFAR-10 from its binary batches (data_batch_1..5.bin, test_batch.bin); 32x32x3 images.',
  version: 1,
  positional: ['path'],
  parameters: {
    path: arg.string('directory holding the binary batches', { minLength: 1 }),
  },
  required: ['path'],
  sizes: () => undefined,
  shape: () => ({ task: 'classification', inputShape: [SIDE, SIDE, CHANNELS], classes: CLASSES }),
  probeSizes,
  load,
  files,
});
