// With a wasm backend of several threads, ltx's SIMD loops spread their independent calls over helper
// threads on the shared heap (core/loop-threads.ts, runtime/backends/loop-threads.ts). Every output is
// still computed by one thread in the same order, so results are bit for bit those of the main thread
// alone; a loop that fails on a helper is an error, and the helper keeps serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../../runtime/backends/select.ts';
import { stopLoopHelpers } from '../../runtime/backends/loop-threads.ts';
import { startWasmLoopHelpers } from '../../runtime/backends/wasm-node.ts';
import { currentLoopHelpers, readyHelpers, runLoopCalls, setLoopHelpers, splitRanges, type LoopHelpers } from '../../core/loop-threads.ts';
import { backendMemory } from '../../core/wasm-kernel-calls.ts';
import { TRANSPOSED_PRODUCT } from '../../core/transposed-product-simd.ts';
import { conv2d, maxPool2d } from '../../stdlib/nn/ops.ts';
import { normalInput, projected, tensorOf } from './helpers.ts';

test('splitRanges cuts a count into near-equal ranges at multiples of the unit, never empty', () => {
  assert.deepEqual(splitRanges(10, 2), [[0, 5], [5, 10]]);
  assert.deepEqual(splitRanges(25, 2, 4), [[0, 12], [12, 25]]);
  assert.deepEqual(splitRanges(3, 4), [[0, 1], [1, 2], [2, 3]]);
  assert.deepEqual(splitRanges(6, 2, 6), [[0, 6]], 'one unit stays whole');
  assert.deepEqual(splitRanges(7, 1), [[0, 7]]);
});

async function twoThreadWasm(): Promise<{ memory: NonNullable<ReturnType<typeof backendMemory>> }> {
  const choice = await initBackend('wasm', { wasmThreads: 2 });
  assert.equal(choice.name, 'wasm');
  const memory = backendMemory(tf.backend() as BackendWasm)!;
  for (let waited = 0; readyHelpers(memory) === 0 && waited < 20_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  assert.equal(readyHelpers(memory), 1, 'one helper beside the main thread on a 2-thread backend');
  return { memory };
}

/** Counts the batches of calls shared with helpers while `f` runs. */
function postsDuring<T>(f: () => T): { result: T; posts: number } {
  const real = currentLoopHelpers()!;
  let posts = 0;
  const spy: LoopHelpers = {
    memory: real.memory,
    ready: () => real.ready(),
    share: (module, fn, calls, runHere) => {
      posts++;
      return real.share(module, fn, calls, runHere);
    },
  };
  setLoopHelpers(spy);
  try {
    return { result: f(), posts };
  } finally {
    setLoopHelpers(real);
  }
}

const bitsOf = (ts: tf.Tensor[]) => ts.map((t) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer)));

/** A Winograd conv, a grid-loop conv weight gradient (5×5) and a max-pool gradient, forward and backward. */
function convStep(): number[][] {
  return tf.tidy(() => {
    // Big enough that every loop splits (core/loop-threads.ts's SPLIT_MIN_WORK).
    const x = tensorOf(normalInput([8, 32, 32, 16], 'threads/x')) as tf.Tensor4D;
    const w = tensorOf(normalInput([3, 3, 16, 32], 'threads/w', 0.3)) as tf.Tensor4D;
    const w5 = tensorOf(normalInput([5, 5, 16, 8], 'threads/w5', 0.3)) as tf.Tensor4D;
    const f = (xx: tf.Tensor, ww: tf.Tensor, ww5: tf.Tensor) =>
      tf.add(tf.sum(maxPool2d(conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, undefined, 1, 'same'), 2, 2)), tf.sum(conv2d(xx as tf.Tensor4D, ww5 as tf.Tensor4D, undefined, 1, 'valid')));
    return bitsOf(tf.grads(projected(f))([x, w, w5]));
  });
}

test('loops spread over a helper thread give the bits of the main thread alone', async () => {
  const { memory } = await twoThreadWasm();
  const { result: spread, posts } = postsDuring(convStep);
  assert.ok(posts >= 5, `calls handed to the helper: ${posts}`);
  await stopLoopHelpers();
  assert.equal(readyHelpers(memory), 0);
  const alone = convStep();
  assert.deepEqual(spread, alone);
  startWasmLoopHelpers();
});

test('a loop call that fails is an error on whichever thread ran it, and the helper serves the next calls', async () => {
  const { memory } = await twoThreadWasm();
  // Calls that do nothing (no rows, no positions) and one that reads past the heap, which traps: on
  // this thread a RuntimeError, on the helper an error naming it.
  const nothing = [0, 0, 0, 4, 0, 0, 1, 4, 0, 0];
  const outOfBounds = [0x7fff0000, 4, 0x7fff0000, 4, 0x7fff0000, 8, 8, 4, 0x7fff0000, 1];
  for (const calls of [[nothing, outOfBounds], [nothing, nothing, nothing, outOfBounds], [outOfBounds, nothing]]) {
    assert.throws(() => runLoopCalls(memory, TRANSPOSED_PRODUCT, 'product', calls), /helper thread|out of bounds/);
  }
  const { posts } = postsDuring(() => convStep());
  assert.ok(posts > 0);
});
