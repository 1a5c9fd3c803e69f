// Helper threads for ltx's SIMD loops (core/loop-threads.ts) on Node: worker threads that share the
// wasm backend's heap (a shared WebAssembly.Memory, as the threaded wasm build has) and wait on a
// control block (loop-thread-protocol.ts). The main thread posts a batch of calls and takes calls
// from it itself; woken helpers take calls too. A helper that wakes late (on 2 cores it may wait for
// XNNPACK's spinning threads to yield) finds the batch done instead of holding the main thread up.
//
// Started with the wasm backend when it has more than one thread: one helper per thread beyond the
// first, so that together with the main thread they use the cores XNNPACK uses. A wasm backend of one
// thread (what ltx's workers get when several share the cores) has none.
import { Worker } from 'node:worker_threads';
import { compiledModule, webAssembly, type Memory } from '../../core/wasm-bytes.ts';
import { setLoopHelpers, type LoopHelpers, type LoopModule } from '../../core/loop-threads.ts';
import { BLOCK, BLOCK_SLOTS, claimCall } from './loop-thread-protocol.ts';

/** How long the main thread waits for a helper before giving up (a helper that died). */
const WAIT_LIMIT_MS = 120_000;

interface SentModule {
  id: number;
  compiled: object;
  functions: string[];
}

class NodeLoopHelpers implements LoopHelpers {
  readonly memory: Memory;
  private readonly control = new Int32Array(new SharedArrayBuffer(BLOCK_SLOTS * 4));
  private readonly workers: Worker[];
  private readonly modules = new Map<string, SentModule>();
  private sequence = 0;

  constructor(memory: Memory, count: number) {
    this.memory = memory;
    this.workers = Array.from({ length: count }, () => {
      const worker = new Worker(new URL('./loop-thread-worker.ts', import.meta.url), { workerData: { memory, control: this.control } });
      worker.unref();
      // A helper that fails to start never counts as ready: the loops run on the other threads.
      worker.on('error', () => undefined);
      return worker;
    });
  }

  ready(): number {
    return Atomics.load(this.control, BLOCK.ready);
  }

  share(module: LoopModule, fn: string, calls: readonly (readonly number[])[], runHere: (args: readonly number[]) => void): boolean {
    const width = calls[0]?.length ?? 0;
    if (BLOCK.args + width * calls.length > BLOCK_SLOTS || calls.length > 0xffff) return false;
    const sent = this.moduleFor(module);
    const index = sent.functions.indexOf(fn);
    if (index < 0) throw new Error(`loop module '${module.key}' has no '${fn}'`);
    const c = this.control;
    c[BLOCK.module] = sent.id;
    c[BLOCK.function] = index;
    c[BLOCK.width] = width;
    c[BLOCK.calls] = calls.length;
    calls.forEach((args, i) => c.set(args, BLOCK.args + i * width));
    const sequence = ++this.sequence;
    Atomics.store(c, BLOCK.status, 0);
    Atomics.store(c, BLOCK.finished, 0);
    Atomics.store(c, BLOCK.claim, (sequence & 0xffff) << 16);
    Atomics.store(c, BLOCK.sequence, sequence);
    Atomics.notify(c, BLOCK.sequence);
    try {
      for (let i = claimCall(c, sequence, calls.length); i >= 0; i = claimCall(c, sequence, calls.length)) {
        try {
          runHere(calls[i]!);
        } finally {
          Atomics.add(c, BLOCK.finished, 1);
        }
      }
    } finally {
      // Close the batch (a call of ours may have thrown with calls left) and wait for the calls helpers
      // claimed: none may still run when the next batch overwrites the arguments.
      const closed = Atomics.exchange(c, BLOCK.claim, ((sequence & 0xffff) << 16) | 0xffff);
      this.waitFinished(Math.min(closed & 0xffff, calls.length));
    }
    if (Atomics.load(c, BLOCK.status) !== 0) throw new Error('a SIMD loop failed on a helper thread of the wasm backend');
    return true;
  }

  private waitFinished(calls: number): void {
    const started = Date.now();
    for (;;) {
      const finished = Atomics.load(this.control, BLOCK.finished);
      if (finished >= calls) return;
      if (Date.now() - started > WAIT_LIMIT_MS) throw new Error(`a helper thread of the wasm backend did not answer within ${WAIT_LIMIT_MS / 1000} s`);
      Atomics.wait(this.control, BLOCK.finished, finished, 1000);
    }
  }

  private moduleFor(module: LoopModule): SentModule {
    let sent = this.modules.get(module.key);
    if (sent === undefined) {
      // The module this thread compiled for its own instance (the heap is shared), sent as it is.
      const compiled = compiledModule(module.key, module.build, true);
      sent = { id: this.modules.size + 1, compiled, functions: webAssembly.Module.exports(compiled).map((e) => e.name) };
      this.modules.set(module.key, sent);
      for (const worker of this.workers) worker.postMessage({ id: sent.id, module: compiled, functions: sent.functions });
    }
    return sent;
  }

  terminate(): Promise<unknown> {
    return Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

let started: NodeLoopHelpers | undefined;

/**
 * Starts `count` helper threads on `memory` (a shared memory; otherwise none) and registers them
 * for the loops. Once per process: the wasm backend starts once.
 */
export function startLoopHelpers(memory: Memory | undefined, count: number): void {
  if (started !== undefined || memory === undefined || count < 1) return;
  if (typeof SharedArrayBuffer === 'undefined' || !(memory.buffer instanceof SharedArrayBuffer)) return;
  started = new NodeLoopHelpers(memory, count);
  setLoopHelpers(started);
}

/** Stops the helpers (tests); the loops then run on the main thread. */
export async function stopLoopHelpers(): Promise<void> {
  const stopping = started;
  started = undefined;
  setLoopHelpers(undefined);
  await stopping?.terminate();
}
