// The wasm backend with several threads (tfjs's threaded build, started by runtime/backends/wasm-threads)
// computes the same bits as with one: a stage's result does not depend on how many cores ran it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { wasmThreadsPerWorker } from '../../runtime/executors/local.ts';

interface Trained {
  backend: string;
  weights: Float32Array[];
}

/** Each worker thread loads its own tfjs, so each gets a wasm backend with its own thread count. */
function trainInWorker(threads: number, env: NodeJS.ProcessEnv = process.env): Promise<Trained> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./fixtures/train-on-wasm.ts', import.meta.url), { workerData: { threads }, env });
    worker.once('message', (message: Trained) => {
      resolve(message);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

function bits(values: Float32Array[]): Uint32Array[] {
  return values.map((v) => new Uint32Array(v.buffer, v.byteOffset, v.length));
}

test('wasm with two threads trains to the same bits as with one', async () => {
  const [one, two] = await Promise.all([trainInWorker(1), trainInWorker(2)]);
  assert.match(one.backend, /, 1 thread$/);
  assert.match(two.backend, /, 2 threads$/);
  assert.deepEqual(bits(two.weights), bits(one.weights));
  assert.ok(one.weights[0]!.some((v) => v !== 0), 'the weights were trained');
});

test('when the threaded build cannot start, one thread computes the same bits and the backend says why', async () => {
  // The worker script goes under $TMPDIR; a TMPDIR below a regular file cannot be created.
  const dir = mkdtempSync(join(tmpdir(), 'ltx-wasm-threads-'));
  try {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    const [fallback, one] = await Promise.all([trainInWorker(2, { ...process.env, TMPDIR: join(blocker, 'tmp') }), trainInWorker(1)]);
    assert.match(fallback.backend, /, 1 thread \(the threaded build did not start: .*ENOTDIR.*\)$/);
    assert.deepEqual(bits(fallback.weights), bits(one.weights));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('local workers share the cores out as wasm threads, at least one each', () => {
  assert.equal(wasmThreadsPerWorker(1, 2), 2);
  assert.equal(wasmThreadsPerWorker(2, 2), 1);
  assert.equal(wasmThreadsPerWorker(3, 2), 1);
  assert.equal(wasmThreadsPerWorker(2, 8), 4);
});
