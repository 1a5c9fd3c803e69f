// MNIST and Fashion-MNIST: four IDX files (train/t10k × images/labels), gzipped or not, in one
// directory. Images become NHWC floats [rows, cols, 1] scaled to [0, 1]; labels int32 0..9.
import { stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { arg } from '../signature.ts';
import { defineDataset } from './define.ts';
import { DatasetError } from './errors.ts';
import { DATA_FILE_LIMITS, DataFileRefused, dataFile, formatBytes, isDirectory, readDataFile, readFileHead } from './files.ts';
import { parseIdx, parseIdxHeader, type IdxArray, type IdxHeader } from './idx.ts';
import { stringParam } from './params.ts';
import { scaleBytes } from './pixels.ts';
import type { DataFiles, DatasetModule, DatasetParams, LoadedDataset, Split, SplitSizes } from './types.ts';

/** Where Debian's `dataset-fashion-mnist` package installs the files. */
export const FASHION_MNIST_DEFAULT_PATH = '/usr/share/datasets/fashion-mnist';
const MNIST_SIDE = 28;
export const MNIST_STANDARD_SIZES: SplitSizes = { train: 60000, test: 10000 };
const CLASSES = 10;

type Part = 'train' | 'test';
type Contents = 'images' | 'labels';
const FILE_PREFIX: Record<Part, string> = { train: 'train', test: 't10k' };
const RANK: Record<Contents, number> = { images: 3, labels: 1 };

interface Flavour {
  op: 'mnist' | 'fashion_mnist';
  summary: string;
  defaultPath: string | undefined;
  /** Said when the files are not there. */
  hint: string;
}

const MNIST: Flavour = {
  op: 'mnist',
  summary: 'MNIST from IDX files (gzipped or not); 60,000 train and 10,000 test 28x28 images.',
  defaultPath: undefined,
  hint: 'pass the directory holding the MNIST IDX files as path',
};
const FASHION: Flavour = {
  op: 'fashion_mnist',
  summary: 'Fashion-MNIST from IDX files (gzipped or not); 60,000 train and 10,000 test 28x28 images.',
  defaultPath: FASHION_MNIST_DEFAULT_PATH,
  hint: `install it with \`apt-get install dataset-fashion-mnist\` (into ${FASHION_MNIST_DEFAULT_PATH}) or pass path: "DIR"`,
};

function directoryOf(flavour: Flavour, params: DatasetParams): string {
  return resolve(stringParam(flavour.op, params, 'path', flavour.defaultPath));
}

/** The names the files go by: LeCun's `train-images-idx3-ubyte[.gz]` and the dotted `train-images.idx3-ubyte`. */
function candidateNames(part: Part, contents: Contents): string[] {
  const base = `${FILE_PREFIX[part]}-${contents}`;
  const suffix = `idx${RANK[contents]}-ubyte`;
  return [`${base}-${suffix}.gz`, `${base}-${suffix}`, `${base}.${suffix}`, `${base}.${suffix}.gz`];
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then((info) => info.isFile(), () => false);
}

async function checkDirectory(flavour: Flavour, dir: string): Promise<void> {
  if (!(await isDirectory(dir, `${flavour.op}: path`))) throw new DatasetError(`${flavour.op}: directory not found: ${dir}; ${flavour.hint}`, dir);
}

async function locate(flavour: Flavour, dir: string, part: Part, contents: Contents): Promise<string> {
  const names = candidateNames(part, contents);
  for (const name of names) {
    const file = join(dir, name);
    if (await isFile(file)) return file;
  }
  const expected = join(dir, names[0]!);
  throw new DatasetError(
    `${flavour.op}: the ${part} ${contents} file is missing: expected ${expected} (or ${names.slice(1).join(', ')}); ${flavour.hint}`,
    expected,
  );
}

interface PartFiles {
  part: Part;
  images: string;
  labels: string;
}

async function locateAll(flavour: Flavour, params: DatasetParams): Promise<PartFiles[]> {
  const dir = directoryOf(flavour, params);
  await checkDirectory(flavour, dir);
  return Promise.all(
    (['train', 'test'] as const).map(async (part) => ({
      part,
      images: await locate(flavour, dir, part, 'images'),
      labels: await locate(flavour, dir, part, 'labels'),
    })),
  );
}

/** The example count both files of a part agree on; images must be non-empty 2-D pictures. */
function checkPair(files: PartFiles, images: IdxHeader, labels: IdxHeader): number {
  const [count, rows, cols] = images.dims as [number, number, number];
  if (count !== labels.dims[0]) {
    throw new DatasetError(
      `${files.images} holds ${count} images but ${files.labels} holds ${labels.dims[0]} labels; they must agree`,
      files.labels,
    );
  }
  if (count === 0 || rows === 0 || cols === 0) {
    throw new DatasetError(`${files.images} holds no images (header: ${images.dims.join(' × ')})`, files.images);
  }
  return count;
}

function checkLabels(file: string, labels: Uint8Array): void {
  const bad = labels.findIndex((label) => label >= CLASSES);
  if (bad >= 0) throw new DatasetError(`${file}: label ${labels[bad]} at index ${bad} is outside 0..${CLASSES - 1}`, file);
}

interface LoadedPart {
  images: IdxArray;
  split: Split;
}

async function loadPart(files: PartFiles): Promise<LoadedPart> {
  const [imageBytes, labelBytes] = await Promise.all([
    readDataFile(files.images, `${files.part} images file`, DATA_FILE_LIMITS.binary),
    readDataFile(files.labels, `${files.part} labels file`, DATA_FILE_LIMITS.binary),
  ]);
  const images = parseIdx(imageBytes, files.images, RANK.images, 'images');
  const labels = parseIdx(labelBytes, files.labels, RANK.labels, 'labels');
  const n = checkPair(files, images, labels);
  checkLabels(files.labels, labels.data);
  return { images, split: { x: scaleBytes(images.data, 255), y: Int32Array.from(labels.data), n } };
}

async function load(flavour: Flavour, params: DatasetParams): Promise<LoadedDataset> {
  const [trainFiles, testFiles] = (await locateAll(flavour, params)) as [PartFiles, PartFiles];
  const train = await loadPart(trainFiles);
  const test = await loadPart(testFiles);
  const [, rows, cols] = train.images.dims as [number, number, number];
  if (test.images.dims[1] !== rows || test.images.dims[2] !== cols) {
    throw new DatasetError(
      `${testFiles.images} holds ${test.images.dims.slice(1).join(' × ')} images but ${trainFiles.images} ` +
        `holds ${rows} × ${cols}; train and test images must have one size`,
      testFiles.images,
    );
  }
  return {
    name: flavour.op,
    task: 'classification',
    inputShape: [rows, cols, 1],
    classes: CLASSES,
    train: train.split,
    test: test.split,
  };
}

/** Counts from the IDX headers; a raw file's length is checked against its header too (free to do). */
async function probePart(files: PartFiles): Promise<number> {
  const header = async (file: string, contents: Contents): Promise<IdxHeader> => {
    const rank = RANK[contents];
    const what = `${files.part} ${contents} file`;
    const { head, compressed, storedLength } = await readFileHead(file, 4 + 4 * rank, what, DATA_FILE_LIMITS.binary);
    const parsed = parseIdxHeader(head, file, rank, contents);
    const expectedLength = parsed.headerLength + parsed.dims.reduce((a, b) => a * b, 1);
    // A gzipped file's header announces what it decompresses to.
    if (expectedLength > DATA_FILE_LIMITS.binary) {
      throw new DataFileRefused(
        `${file}: its header (${parsed.dims.join(' × ')} ${contents}) announces ${formatBytes(expectedLength)}, over the ` +
          `${formatBytes(DATA_FILE_LIMITS.binary)} ltx reads of a ${what}`,
        file,
      );
    }
    if (!compressed && storedLength !== expectedLength) {
      throw new DatasetError(
        `${file} holds ${storedLength} bytes but its header (${parsed.dims.join(' × ')} ${contents}) needs ${expectedLength}`,
        file,
      );
    }
    return parsed;
  };
  return checkPair(files, await header(files.images, 'images'), await header(files.labels, 'labels'));
}

async function probeSizes(flavour: Flavour, params: DatasetParams): Promise<SplitSizes> {
  const [trainFiles, testFiles] = (await locateAll(flavour, params)) as [PartFiles, PartFiles];
  return { train: await probePart(trainFiles), test: await probePart(testFiles) };
}

async function files(flavour: Flavour, params: DatasetParams): Promise<DataFiles> {
  const located = (await locateAll(flavour, params)).flatMap(({ images, labels }) => [images, labels]);
  const checked = await Promise.all(located.map((file) => dataFile(file, 'IDX file', DATA_FILE_LIMITS.binary)));
  return Object.fromEntries(checked.map((file) => [basename(file), file]));
}

function datasetModule(flavour: Flavour): DatasetModule {
  const standard = flavour.defaultPath;
  const path = arg.string('directory holding the four IDX files', { ...(standard === undefined ? {} : { default: standard }), minLength: 1 });
  return defineDataset({
    name: flavour.op,
    summary: flavour.summary,
    version: 1,
    positional: ['path'],
    parameters: { path },
    required: standard === undefined ? ['path'] : [],
    // Only the standard install is known without looking; any other directory may hold anything.
    sizes: (params) =>
      standard !== undefined && directoryOf(flavour, params) === resolve(standard) ? { ...MNIST_STANDARD_SIZES } : undefined,
    // Both flavours are 28x28 grey images of 10 classes; files of another size are refused when loaded.
    shape: () => ({ task: 'classification', inputShape: [MNIST_SIDE, MNIST_SIDE, 1], classes: CLASSES }),
    probeSizes: (params) => probeSizes(flavour, params),
    load: (params) => load(flavour, params),
    files: (params) => files(flavour, params),
  });
}

export const mnist = datasetModule(MNIST);
export const fashionMnist = datasetModule(FASHION);
