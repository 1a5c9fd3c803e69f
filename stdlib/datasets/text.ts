// Character-level language modelling on a UTF-8 text file. Tokens are Unicode code points; the
// vocabulary is the sorted set of distinct characters of the whole file. The last round(length × test)
// characters are the test text, the rest the training text, and each is cut into windows separately, so
// no window crosses the boundary. A window is context + 1 consecutive characters: x its first
// `context`, y the next-character targets (the same window shifted by one). Windows start every
// `context` characters, so consecutive windows share one character and every transition of a part is
// a target exactly once: a part of L characters gives floor((L − 1) / context) windows.
import { basename, resolve } from 'node:path';
import { arg, LIMITS } from '../signature.ts';
import { defineDataset } from './define.ts';
import { DatasetError } from './errors.ts';
import { DATA_FILE_LIMITS, dataFile, readDataFile } from './files.ts';
import { fractionParam, integerParam, stringParam } from './params.ts';
import type { DataFiles, DatasetParams, LoadedDataset, Split, SplitSizes } from './types.ts';

const OP = 'text';

interface TextParams {
  file: string;
  context: number;
  test: number;
}

function readParams(params: DatasetParams): TextParams {
  return {
    file: resolve(stringParam(OP, params, 'path')),
    context: integerParam(OP, params, 'context', { min: 1 }),
    test: fractionParam(OP, params, 'test', 0.1),
  };
}

async function readText(file: string): Promise<string> {
  const bytes = await readDataFile(file, 'text file', DATA_FILE_LIMITS.text);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DatasetError(`${OP}: ${file} is not valid UTF-8 text`, file);
  }
  if (text.length === 0) throw new DatasetError(`${OP}: ${file} is empty`, file);
  return text;
}

function windowsIn(length: number, context: number): number {
  return length > context ? Math.floor((length - 1) / context) : 0;
}

interface TextLayout {
  trainLength: number;
  testLength: number;
  sizes: SplitSizes;
}

/** Where the boundary falls and how many windows each part holds, for a text of `length` characters. */
function layout({ file, context, test }: TextParams, length: number): TextLayout {
  const testLength = Math.round(length * test);
  const trainLength = length - testLength;
  const sizes = { train: windowsIn(trainLength, context), test: windowsIn(testLength, context) };
  if (sizes.train === 0 || sizes.test === 0) {
    throw new DatasetError(
      `${OP}: ${file} is too short: its ${length} characters split into ${trainLength} for training and ` +
        `${testLength} for testing (test: ${test}), and each part needs at least ${context + 1} (context + 1) for one window`,
      file,
    );
  }
  return { trainLength, testLength, sizes };
}

function codePointCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

function windows(tokens: Int32Array, context: number): Split {
  const n = windowsIn(tokens.length, context);
  const x = new Int32Array(n * context);
  const y = new Int32Array(n * context);
  for (let w = 0; w < n; w++) {
    x.set(tokens.subarray(w * context, w * context + context), w * context);
    y.set(tokens.subarray(w * context + 1, w * context + context + 1), w * context);
  }
  return { x, y, n };
}

async function load(params: DatasetParams): Promise<LoadedDataset> {
  const read = readParams(params);
  const characters = Array.from(await readText(read.file));
  const { trainLength } = layout(read, characters.length);
  const codePoint = (c: string) => c.codePointAt(0)!;
  const vocabulary = [...new Set(characters)].sort((a, b) => codePoint(a) - codePoint(b));
  const index = new Map(vocabulary.map((c, i) => [c, i]));
  const tokens = Int32Array.from(characters, (c) => index.get(c)!);
  return {
    name: OP,
    task: 'language-model',
    inputShape: [read.context],
    classes: vocabulary.length,
    tokens: vocabulary.length,
    train: windows(tokens.subarray(0, trainLength), read.context),
    test: windows(tokens.subarray(trainLength), read.context),
    vocabulary,
  };
}

async function probeSizes(params: DatasetParams): Promise<SplitSizes> {
  const read = readParams(params);
  const text = await readText(read.file);
  return { ...layout(read, codePointCount(text)).sizes, classes: new Set(text).size };
}

async function files(params: DatasetParams): Promise<DataFiles> {
  const { file } = readParams(params);
  return { [basename(file)]: await dataFile(file, 'text file', DATA_FILE_LIMITS.text) };
}

export const text = defineDataset({
  name: OP,
  summary: 'Character-level language modelling on a UTF-8 text file; the last part of the text is the test split.',
  version: 1,
  positional: ['path', 'context'],
  parameters: {
    path: arg.string('the text file', { minLength: 1 }),
    context: arg.count('context length in characters', LIMITS.positions),
    test: arg.fraction('share of the text held out for testing', { default: 0.1, exclusiveMinimum: 0, exclusiveMaximum: 1 }),
  },
  required: ['path', 'context'],
  sizes: () => undefined,
  // The vocabulary is the text's characters: known once probeSizes has read it.
  shape: (params, read) => ({ task: 'language-model', inputShape: [readParams(params).context], vocabulary: read?.classes, classes: read?.classes }),
  probeSizes,
  load,
  files,
});
