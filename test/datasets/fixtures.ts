// Small datasets written in the real on-disk formats (IDX, CIFAR-10 binary), so loaders are tested on
// the same bytes they meet in the wild, plus a temp-dir helper that cleans up after each test.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { gzipSync } from 'node:zlib';

/** A fresh directory, removed when the test ends. */
export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ltx-datasets-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** An unsigned-byte IDX file: magic 0x0000 08 rank, big-endian dimensions, data. */
export function idxBytes(dims: number[], data: Uint8Array): Uint8Array {
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint32(0, 0x0800 | dims.length);
  dims.forEach((d, i) => header.setUint32(4 + 4 * i, d));
  const out = new Uint8Array(header.byteLength + data.length);
  out.set(new Uint8Array(header.buffer), 0);
  out.set(data, header.byteLength);
  return out;
}

/** Deterministic image bytes: image i, pixel p has value (7i + 3p) mod 256. */
export function imagePixels(count: number, rows: number, cols: number): Uint8Array {
  const out = new Uint8Array(count * rows * cols);
  for (let i = 0; i < count; i++) for (let p = 0; p < rows * cols; p++) out[i * rows * cols + p] = (7 * i + 3 * p) % 256;
  return out;
}

export interface IdxPart {
  images: Uint8Array;
  labels: Uint8Array;
}

/** A part with `count` images of rows × cols and labels i mod 10. */
export function idxPart(count: number, rows = 4, cols = 3): IdxPart {
  return {
    images: idxBytes([count, rows, cols], imagePixels(count, rows, cols)),
    labels: idxBytes([count], Uint8Array.from({ length: count }, (_, i) => i % 10)),
  };
}

export interface MnistLayout {
  gzip: boolean;
  /** 'dash' = train-images-idx3-ubyte, 'dot' = train-images.idx3-ubyte. */
  naming?: 'dash' | 'dot';
}

export function mnistFileName(prefix: 'train' | 't10k', contents: 'images' | 'labels', layout: MnistLayout): string {
  const rank = contents === 'images' ? 3 : 1;
  const base = layout.naming === 'dot' ? `${prefix}-${contents}.idx${rank}-ubyte` : `${prefix}-${contents}-idx${rank}-ubyte`;
  return layout.gzip ? `${base}.gz` : base;
}

/** Writes the four MNIST files into `dir`; returns their paths by role. */
export async function writeMnist(dir: string, train: IdxPart, test: IdxPart, layout: MnistLayout): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const parts = { train: ['train', train], test: ['t10k', test] } as const;
  for (const [part, [prefix, data]] of Object.entries(parts)) {
    for (const contents of ['images', 'labels'] as const) {
      const file = join(dir, mnistFileName(prefix, contents, layout));
      await writeFile(file, layout.gzip ? gzipSync(data[contents]) : data[contents]);
      files[`${part}-${contents}`] = file;
    }
  }
  return files;
}

export const CIFAR_RECORD = 3073;

/** One CIFAR-10 record: label byte, then planes R, G, B with pixel p of channel c = (label + 5c + p) mod 256. */
export function cifarRecord(label: number): Uint8Array {
  const record = new Uint8Array(CIFAR_RECORD);
  record[0] = label;
  for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) record[1 + c * 1024 + p] = (label + 5 * c + p) % 256;
  return record;
}

export function cifarBatch(labels: number[]): Uint8Array {
  const out = new Uint8Array(labels.length * CIFAR_RECORD);
  labels.forEach((label, i) => out.set(cifarRecord(label), i * CIFAR_RECORD));
  return out;
}

/** Five training batches with labels `trainLabels[b]` and one test batch. */
export async function writeCifar(dir: string, trainLabels: number[][], testLabels: number[]): Promise<void> {
  for (let b = 0; b < 5; b++) await writeFile(join(dir, `data_batch_${b + 1}.bin`), cifarBatch(trainLabels[b] ?? [b]));
  await writeFile(join(dir, 'test_batch.bin'), cifarBatch(testLabels));
}
